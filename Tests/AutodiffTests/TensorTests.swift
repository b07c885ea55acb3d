import Testing
import Autodiff
import TestSupport

@Suite struct TensorTests {
    /// The vectorised tanh against glibc's on a dense grid (relative error in units of Float's
    /// epsilon), at the edges of its two branches and for non-finite inputs; odd lengths
    /// exercise the tail that does not fill eight lanes.
    @Test func vectorisedTanhMatchesLibm() {
        var xs = stride(from: Float(-12), through: 12, by: 0.000731).map { $0 }
        xs += [0, -0, 1e-30, -1e-30, 1e-8, 0.625, 0.6249999, -0.625, 9, 9.5, 88, -88, 1e30, .infinity, -.infinity]
        let y = Tensor(xs).tanh().scalars
        var worst: Float = 0
        for (x, v) in zip(xs, y) {
            let exact = Float(Foundation.tanh(Double(x)))
            worst = max(worst, abs(v - exact) / max(abs(exact), .leastNormalMagnitude) / Float.ulpOfOne)
        }
        #expect(worst <= 4, "worst error \(worst) ulp")
        #expect(Tensor([0, -0.5, .nan]).tanh().scalars[2].isNaN)
        #expect(Tensor([-0.0]).tanh().scalars[0].sign == .minus)
    }

    @Test func broadcastingForward() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        #expect((a + Tensor([10, 20, 30])).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * Tensor(shape: [2, 1], scalars: [2, 3])).scalars == [2, 4, 6, 12, 15, 18])
        #expect((Tensor(shape: [2, 1, 1], scalars: [1, 2]) + Tensor([[0, 10]])).shape == [2, 1, 2])
        #expect((Tensor(shape: [3, 1], scalars: [1, 2, 3]) - Tensor([1, 1])).scalars == [0, 0, 1, 1, 2, 2])
        #expect((a / 2).scalars == [0.5, 1, 1.5, 2, 2.5, 3])
    }

    /// Every broadcast pattern (repeated along leading, middle or trailing axes, or along two
    /// separate runs, either operand) against a reference computed index by index.
    @Test(arguments: [([2, 3, 4], [4]), ([2, 3, 4], [3, 4]), ([2, 3, 4], [2, 1, 4]), ([2, 3, 4], [2, 3, 1]),
                      ([2, 3, 4], [2, 1, 1]), ([2, 3, 4], [1, 3, 1]), ([4], [2, 3, 4]), ([2, 1, 4], [2, 3, 4]),
                      ([2, 1, 4], [3, 1]), ([1], [2, 3])])
    func broadcastingMatchesIndexByIndex(shapes: ([Int], [Int])) {
        let (sa, sb) = shapes
        let a = Tensor(shape: sa, scalars: (0..<sa.reduce(1, *)).map { Float($0) * 0.5 + 1 })
        let b = Tensor(shape: sb, scalars: (0..<sb.reduce(1, *)).map { Float($0) * 3 - 2 })
        let rank = max(sa.count, sb.count)
        let pa = [Int](repeating: 1, count: rank - sa.count) + sa, pb = [Int](repeating: 1, count: rank - sb.count) + sb
        let shape = zip(pa, pb).map { max($0, $1) }
        func offset(_ index: [Int], in dims: [Int]) -> Int {
            zip(index, dims).reduce(0) { $0 * $1.1 + ($1.1 == 1 ? 0 : $1.0) }
        }
        var expected: [Float] = []
        for flat in 0..<shape.reduce(1, *) {
            var index = [Int](repeating: 0, count: rank), rest = flat
            for d in stride(from: rank - 1, through: 0, by: -1) { index[d] = rest % shape[d]; rest /= shape[d] }
            expected.append(a.scalars[offset(index, in: pa)] - b.scalars[offset(index, in: pb)])
        }
        let y = a - b
        #expect(y.shape == shape && y.scalars == expected, "\(sa) − \(sb)")
    }

    @Test func broadcastingBackwardReducesToInputShapes() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]]).requiringGradient()
        let row = Tensor([1, 1, 1]).requiringGradient()
        let column = Tensor(shape: [2, 1], scalars: [2, 3]).requiringGradient()
        let y = (a * row * column).sum()
        let g = gradients(of: y, wrt: [a, row, column])
        #expect(g[0].shape == [2, 3] && g[0].scalars == [2, 2, 2, 3, 3, 3])
        #expect(g[1].shape == [3] && g[1].scalars == [14, 19, 24])
        #expect(g[2].shape == [2, 1] && g[2].scalars == [6, 15])
    }

    @Test func reductionsAndShapes() {
        let a = Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init))
        #expect(a.sum(axis: 1).scalars == [6, 9, 24, 27])
        #expect(a.sum(axes: [0, 2]).scalars == [14, 22, 30])
        #expect(a.sum(axis: -1, keepDims: true).shape == [2, 3, 1])
        #expect(a.max(axis: 1).scalars == [4, 5, 10, 11])
        #expect(a.mean().scalar == 5.5)
        #expect(a.permuted([2, 0, 1]).scalars == [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])
        #expect(Tensor([[1, 2], [3, 4]]).transposed().scalars == [1, 3, 2, 4])
        #expect(a.sliced(axis: 1, 1..<2).scalars == [2, 3, 8, 9])
        #expect(Tensor.concatenate([Tensor([[1], [2]]), Tensor([[3, 4], [5, 6]])], axis: 1).scalars == [1, 3, 4, 2, 5, 6])
        #expect(Tensor([10, 20, 30]).gathered([2, 2, 0]).scalars == [30, 30, 10])
        #expect(Tensor([1, 2, 3]).logSumExp(axis: 0).scalar == Float(Foundation_log(Double(1).exp() + 2.0.exp() + 3.0.exp())))
    }

    @Test func affineEqualsProductPlusBias() {
        var rng = Xoshiro256(seed: 3)
        let x = Tensor.randomNormal([5, 4], using: &rng), w = Tensor.randomNormal([4, 3], using: &rng)
        let b = Tensor.randomNormal([3], using: &rng)
        #expect(isClose(Tensor.affine(x, w, b), x.matmul(w) + b, tolerance: 1e-6))
        let xs = Tensor.randomNormal([2, 5, 4], using: &rng), ws = Tensor.randomNormal([2, 4, 3], using: &rng)
        let bs = Tensor.randomNormal([2, 3], using: &rng)
        #expect(isClose(Tensor.affine(xs, ws, bs), Tensor.matmul(xs, ws) + bs.expanded(axis: 1), tolerance: 1e-6))
    }

    @Test func matmulAgreesWithNaiveProductForEveryTransposeFlag() {
        let a = Tensor(shape: [3, 4], scalars: (0..<12).map { Float($0) * 0.5 - 2 })
        let b = Tensor(shape: [4, 2], scalars: (0..<8).map { Float($0) - 3 })
        let expected = naive(a, b)
        #expect(isEqual(Tensor.matmul(a, b), expected))
        #expect(isEqual(Tensor.matmul(a.transposed(), b, transposeA: true), expected))
        #expect(isEqual(Tensor.matmul(a, b.transposed(), transposeB: true), expected))
        #expect(isEqual(Tensor.matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true), expected))
    }

    @Test func batchedMatmulIsOneProductPerBatchEntry() {
        let a = Tensor(shape: [2, 3, 4], scalars: (0..<24).map { Float($0) * 0.25 - 3 })
        let b = Tensor(shape: [2, 4, 2], scalars: (0..<16).map { Float($0) - 7 })
        let product = Tensor.matmul(a, b)
        #expect(product.shape == [2, 3, 2])
        for t in 0..<2 {
            let expected = naive(a.sliced(axis: 0, t ..< t + 1).reshaped([3, 4]), b.sliced(axis: 0, t ..< t + 1).reshaped([4, 2]))
            #expect(isEqual(product.sliced(axis: 0, t ..< t + 1).reshaped([3, 2]), expected))
        }
    }

    @Test func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [9, 2, 3])
    }

    @Test func randomTensorsAreDeterministic() {
        var r1 = Xoshiro256(seed: 3), r2 = Xoshiro256(seed: 3)
        #expect(Tensor.randomNormal([4, 5], using: &r1).scalars == Tensor.randomNormal([4, 5], using: &r2).scalars)
    }

    private func naive(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { out[i * n + j] += a.scalars[i * k + p] * b.scalars[p * n + j] } } }
        return Tensor(shape: [m, n], scalars: out)
    }

    private func isEqual(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) < 1e-4 }
    }
}

import Foundation
private func Foundation_log(_ x: Double) -> Double { Foundation.log(x) }
private extension Double { func exp() -> Double { Foundation.exp(self) } }
