/// Max pooling in NHWC layout. The forward pass finds each window's maximum; the op itself is a
/// gather of those elements, so its gradient is a scatter-add to them and its second
/// derivative passes through the same indices (piecewise linear, like ReLU).
extension Tensor {
    /// x [N, H, W, C] → [N, Ho, Wo, C], the maximum of each `size`×`size` window moved by
    /// `stride` (default: non-overlapping), no padding; a partial window at the edge is dropped.
    public func maxPool2d(size: Int = 2, stride: Int? = nil) -> Tensor {
        require(rank == 4, "maxPool2d: needs [N, H, W, C], got \(shape)")
        let stride = stride ?? size
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        let ho = Tensor.windowCount(h, kernel: size, stride: stride, padding: 0)
        let wo = Tensor.windowCount(w, kernel: size, stride: stride, padding: 0)
        require(ho > 0 && wo > 0, "maxPool2d: window \(size) larger than input \(h)×\(w)")
        var indices = [Int](repeating: 0, count: n * ho * wo * c)
        scalars.withUnsafeBufferPointer { p in
            var o = 0
            for b in 0..<n {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        for ch in 0..<c {
                            var best = ((b * h + oy * stride) * w + ox * stride) * c + ch
                            for ky in 0..<size {
                                for kx in 0..<size {
                                    let i = ((b * h + oy * stride + ky) * w + ox * stride + kx) * c + ch
                                    if p[i] > p[best] { best = i }
                                }
                            }
                            indices[o] = best
                            o += 1
                        }
                    }
                }
            }
        }
        return reshaped([-1]).gatheredElements(indices).reshaped([n, ho, wo, c])
    }

    /// y[i] = x[indices[i]] for a rank-1 x. Its adjoint is `scatterAddedElements`.
    public func gatheredElements(_ indices: [Int]) -> Tensor {
        require(rank == 1, "gatheredElements: needs a rank-1 tensor, got \(shape)")
        let n = count
        let out = [Float](unsafeUninitializedCapacity: indices.count) { buffer, initialized in
            scalars.withUnsafeBufferPointer { p in
                for (j, i) in indices.enumerated() {
                    require(i >= 0 && i < n, "gatheredElements: index \(i) out of 0..<\(n)")
                    buffer[j] = p[i]
                }
            }
            initialized = indices.count
        }
        return record(Tensor(shape: [indices.count], scalars: out, node: nil), "gatherElements", [self]) { g, _, _ in
            [g.scatterAddedElements(indices, size: n)]
        }
    }

    /// A rank-1 tensor of `size` zeros where entry `indices[j]` accumulates this tensor's entry j.
    public func scatterAddedElements(_ indices: [Int], size: Int) -> Tensor {
        require(rank == 1 && count == indices.count, "scatterAddedElements: \(indices.count) indices for shape \(shape)")
        var out = [Float](repeating: 0, count: size)
        scalars.withUnsafeBufferPointer { p in
            for (j, i) in indices.enumerated() { out[i] += p[j] }
        }
        return record(Tensor(shape: [size], scalars: out, node: nil), "scatterAddElements", [self]) { g, _, _ in
            [g.gatheredElements(indices)]
        }
    }
}
