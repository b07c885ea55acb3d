import Testing
import Autodiff
import TestSupport

/// Conv2d, MaxPool2d and BatchNorm: forward passes against direct loops, gradients against
/// five-point finite differences to second order (third for batch norm).
@Suite struct ConvolutionTests {
    /// Deterministic, well-spread values (no ties, so max-pooling's choice is stable under ±2h).
    static func values(_ shape: [Int], seed: Int) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { i in Float(((i + seed) * 7919 + seed * 104_729) % 211) / 105.5 - 1 })
    }

    func check(_ name: String, orders: ClosedRange<Int> = 1...2, tolerance: Double = 3e-3,
               _ inputs: [Tensor], _ f: @escaping ([Tensor]) -> Tensor) {
        for order in orders {
            let error = GradientCheck.maxError(order: order, f, at: inputs)
            #expect(error < tolerance, "\(name), order \(order): relative error \(error)")
        }
    }

    /// Direct six-loop convolution (NHWC, weights [kh, kw, C, O]).
    static func reference(_ x: Tensor, _ w: Tensor, stride: Int, padding: Int) -> Tensor {
        let (n, h, wd, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (kh, kw, o) = (w.shape[0], w.shape[1], w.shape[3])
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (wd + 2 * padding - kw) / stride + 1
        var out = [Float](repeating: 0, count: n * ho * wo * o)
        for b in 0..<n { for oy in 0..<ho { for ox in 0..<wo { for oc in 0..<o {
            var acc: Float = 0
            for ky in 0..<kh { for kx in 0..<kw { for ic in 0..<c {
                let iy = oy * stride + ky - padding, ix = ox * stride + kx - padding
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                acc += x.scalars[((b * h + iy) * wd + ix) * c + ic] * w.scalars[((ky * kw + kx) * c + ic) * o + oc]
            } } }
            out[((b * ho + oy) * wo + ox) * o + oc] = acc
        } } } }
        return Tensor(shape: [n, ho, wo, o], scalars: out)
    }

    @Test func conv2dForwardMatchesDirectLoops() {
        let x = Self.values([2, 5, 6, 3], seed: 1), w = Self.values([3, 3, 3, 4], seed: 2)
        for (stride, padding) in [(1, 0), (1, 1), (2, 1), (2, 0)] {
            let y = Tensor.conv2d(x, w, stride: stride, padding: padding)
            #expect(isClose(y, Self.reference(x, w, stride: stride, padding: padding), tolerance: 1e-5),
                    "conv2d stride \(stride) padding \(padding)")
        }
    }

    @Test func im2colAndCol2imAreAdjoint() {
        let x = Self.values([2, 4, 5, 2], seed: 3)
        let cols = x.im2col(kernel: (3, 3), stride: 2, padding: 1)
        let y = Self.values(cols.shape, seed: 4)
        let lhs = (cols * y).sum().scalar
        let rhs = (x * y.col2im(inputShape: x.shape, kernel: (3, 3), stride: 2, padding: 1)).sum().scalar
        #expect(abs(lhs - rhs) < 1e-4 * max(1, abs(lhs)))
    }

    @Test func conv2dGradients() {
        let x = Self.values([2, 4, 4, 2], seed: 5), w = Self.values([3, 3, 2, 3], seed: 6)
        check("conv2d padding 1", [x, w]) { Tensor.conv2d($0[0], $0[1], padding: 1).square() }
        check("conv2d stride 2", [x, w]) { Tensor.conv2d($0[0], $0[1], stride: 2, padding: 1).tanh() }
    }

    @Test func maxPoolForwardAndGradients() {
        let x = Self.values([2, 4, 5, 3], seed: 7)
        let y = x.maxPool2d(size: 2)
        #expect(y.shape == [2, 2, 2, 3])
        for b in 0..<2 { for oy in 0..<2 { for ox in 0..<2 { for c in 0..<3 {
            let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { x.scalars[((b * 4 + 2 * oy + $0.0) * 5 + 2 * ox + $0.1) * 3 + c] }
            #expect(y.scalars[((b * 2 + oy) * 2 + ox) * 3 + c] == window.max()!)
        } } } }
        check("maxPool2d", [x]) { $0[0].maxPool2d(size: 2).square() * 1.5 }
        check("maxPool2d 3×3 stride 1", [x]) { $0[0].maxPool2d(size: 3, stride: 1).exp() }
    }

    @Test func batchNormGradients() {
        let x = Self.values([3, 2, 2, 3], seed: 10)
        let scale = Tensor([1.2, 0.7, -0.9]), offset = Tensor([0.1, -0.3, 0.4])
        let y = x.batchNormalized(scale: Tensor.ones([3]), offset: Tensor.zeros([3]))
        let mean = y.mean(axes: [0, 1, 2]), variance = y.square().mean(axes: [0, 1, 2])
        #expect(isClose(mean, Tensor.zeros([3]), tolerance: 1e-5) && isClose(variance, Tensor.ones([3]), tolerance: 1e-3))
        check("batchNormalized", orders: 1...3, tolerance: 5e-3, [x, scale, offset]) {
            $0[0].batchNormalized(scale: $0[1], offset: $0[2]).square() * Self.values([3, 2, 2, 3], seed: 11)
        }
    }
}
