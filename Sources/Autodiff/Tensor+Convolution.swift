/// 2-D convolution in NHWC layout ([batch, height, width, channels]) by im2col and one matrix
/// product (cbfinn/maml's conv4 in the same layout as TensorFlow's default). `im2col` and
/// `col2im` are each other's adjoints and both are recorded ops, so convolutions differentiate
/// to any order.
extension Tensor {
    /// Output size of a convolution or pooling window along one dimension.
    @inline(__always)
    static func windowCount(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        (size + 2 * padding - kernel) / stride + 1
    }

    /// x [N, H, W, C] convolved with w [kh, kw, C, O] (cross-correlation, as in every deep
    /// learning library), zero padding `padding` on each side: [N, Ho, Wo, O].
    public static func conv2d(_ x: Tensor, _ w: Tensor, stride: Int = 1, padding: Int = 0) -> Tensor {
        require(x.rank == 4 && w.rank == 4, "conv2d: needs x [N, H, W, C] and w [kh, kw, C, O], got \(x.shape) and \(w.shape)")
        require(x.shape[3] == w.shape[2], "conv2d: input has \(x.shape[3]) channels, weight expects \(w.shape[2])")
        let (n, h, wd) = (x.shape[0], x.shape[1], x.shape[2])
        let (kh, kw, c, o) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let ho = windowCount(h, kernel: kh, stride: stride, padding: padding)
        let wo = windowCount(wd, kernel: kw, stride: stride, padding: padding)
        require(ho > 0 && wo > 0, "conv2d: kernel \(kh)×\(kw) does not fit input \(h)×\(wd) with padding \(padding)")
        let columns = x.im2col(kernel: (kh, kw), stride: stride, padding: padding)
        return columns.matmul(w.reshaped([kh * kw * c, o])).reshaped([n, ho, wo, o])
    }

    /// The patches of an NHWC tensor as rows: [N·Ho·Wo, kh·kw·C], each row one window in
    /// (kernel row, kernel column, channel) order; positions outside the input read 0.
    public func im2col(kernel: (Int, Int), stride: Int, padding: Int) -> Tensor {
        require(rank == 4, "im2col: needs [N, H, W, C], got \(shape)")
        let geometry = WindowGeometry(input: shape, kernel: kernel, stride: stride, padding: padding)
        var out = [Float](repeating: 0, count: geometry.rows * geometry.columns)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in geometry.forEachCopy { d, s, c in
                for k in 0..<c { dst[d + k] = src[s + k] }
            } }
        }
        let y = Tensor(shape: [geometry.rows, geometry.columns], scalars: out, node: nil)
        let inputShape = shape
        return record(y, "im2col", [self]) { g, _, _ in
            [g.col2im(inputShape: inputShape, kernel: kernel, stride: stride, padding: padding)]
        }
    }

    /// The adjoint of `im2col`: each row's entries added back into the window they came from.
    public func col2im(inputShape: [Int], kernel: (Int, Int), stride: Int, padding: Int) -> Tensor {
        let geometry = WindowGeometry(input: inputShape, kernel: kernel, stride: stride, padding: padding)
        require(shape == [geometry.rows, geometry.columns], "col2im: shape \(shape), expected [\(geometry.rows), \(geometry.columns)]")
        var out = [Float](repeating: 0, count: inputShape.elementCount)
        scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in geometry.forEachCopy { d, s, c in
                for k in 0..<c { dst[s + k] += src[d + k] }
            } }
        }
        let y = Tensor(shape: inputShape, scalars: out, node: nil)
        return record(y, "col2im", [self]) { g, _, _ in
            [g.im2col(kernel: kernel, stride: stride, padding: padding)]
        }
    }
}

/// Index arithmetic shared by im2col and col2im.
struct WindowGeometry {
    let n, h, w, c, kh, kw, stride, padding, ho, wo: Int
    var rows: Int { n * ho * wo }
    var columns: Int { kh * kw * c }

    init(input: [Int], kernel: (Int, Int), stride: Int, padding: Int) {
        require(input.count == 4, "window geometry: needs [N, H, W, C], got \(input)")
        (n, h, w, c) = (input[0], input[1], input[2], input[3])
        (kh, kw) = kernel
        self.stride = stride
        self.padding = padding
        ho = Tensor.windowCount(h, kernel: kh, stride: stride, padding: padding)
        wo = Tensor.windowCount(w, kernel: kw, stride: stride, padding: padding)
    }

    /// Calls body(columnOffset, inputOffset, count) for each in-bounds run of `c` channels.
    @inline(__always)
    func forEachCopy(_ body: (Int, Int, Int) -> Void) {
        var row = 0
        for b in 0..<n {
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let base = row * columns
                    for ky in 0..<kh {
                        let iy = oy * stride + ky - padding
                        guard iy >= 0 && iy < h else { continue }
                        for kx in 0..<kw {
                            let ix = ox * stride + kx - padding
                            guard ix >= 0 && ix < w else { continue }
                            body(base + (ky * kw + kx) * c, ((b * h + iy) * w + ix) * c, c)
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
