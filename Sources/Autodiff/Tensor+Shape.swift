/// Ops that move elements without changing them: reshape, transpose, concatenate, slice, gather.
/// Each rule is the op's adjoint (reshape back, inverse permutation, slices, zero-padding,
/// scatter-add), itself a recorded op so higher derivatives pass through.
extension Tensor {
    /// The same elements under a new shape; one dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let unknown = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
            require(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for shape \(shape)")
            target[unknown] = count / known
        }
        require(target.elementCount == count, "reshape: shape \(shape) (\(count) elements) cannot become \(newShape)")
        if target == shape { return self }
        return record(reshapedValues(target), "reshape", [self]) { g, _, _ in [g.reshaped(self.shape)] }
    }

    /// Removes a size-1 dimension.
    public func squeezed(axis: Int) -> Tensor {
        require(shape[axis] == 1, "squeezed: dimension \(axis) of shape \(shape) is not 1")
        var s = shape
        s.remove(at: axis)
        return reshaped(s)
    }

    /// Inserts a size-1 dimension at `axis`.
    public func expanded(axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis)
        return reshaped(s)
    }

    /// Dimensions reordered: result dimension i is this tensor's dimension `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        require(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of shape \(shape)'s axes")
        if axes == Array(0..<rank) { return self }
        let newShape = axes.map { shape[$0] }
        var sourceStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { sourceStrides[i] = sourceStrides[i + 1] * shape[i + 1] }
        let strides = axes.map { sourceStrides[$0] }
        let none = [Int](repeating: 0, count: rank)
        let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            scalars.withUnsafeBufferPointer { p in
                Broadcast.forEachRun(shape: newShape, aStrides: strides, bStrides: none) { o, ao, _, n, sa, _ in
                    for i in 0..<n { buffer[o + i] = p[ao + i * sa] }
                }
            }
            initialized = count
        }
        let inverse = (0..<rank).map { axes.firstIndex(of: $0)! }
        return record(Tensor(shape: newShape, scalars: out, node: nil), "permute", [self]) { g, _, _ in
            [g.permuted(inverse)]
        }
    }

    /// The last two dimensions swapped (the matrix transpose for rank 2).
    public func transposed() -> Tensor {
        require(rank >= 2, "transposed: needs rank ≥ 2, got shape \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// Concatenation along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        require(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let axis = axis < 0 ? axis + first.rank : axis
        for t in tensors {
            require(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == axis || t.shape[$0] == first.shape[$0] },
                         "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        var shape = first.shape
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        var out = [Float]()
        out.reserveCapacity(shape.elementCount)
        for o in 0..<outer {
            for t in tensors {
                let run = t.shape[axis] * inner
                out.append(contentsOf: t.scalars[(o * run)..<((o + 1) * run)])
            }
        }
        let sizes = tensors.map { $0.shape[axis] }
        return record(Tensor(shape: shape, scalars: out, node: nil), "concatenate", tensors) { g, _, needs in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return needs[i] ? g.sliced(axis: axis, start ..< start + size) : nil
            }
        }
    }

    /// The elements with index in `range` along `axis`.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        require(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "sliced: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        if range.count == shape[axis] { return self }
        let (outer, n, inner) = split(at: axis)
        var newShape = shape
        newShape[axis] = range.count
        var out = [Float]()
        out.reserveCapacity(newShape.elementCount)
        for o in 0..<outer {
            out.append(contentsOf: scalars[((o * n + range.lowerBound) * inner)..<((o * n + range.upperBound) * inner)])
        }
        let before = range.lowerBound, after = shape[axis] - range.upperBound
        return record(Tensor(shape: newShape, scalars: out, node: nil), "slice", [self]) { g, _, _ in
            [g.padded(axis: axis, before: before, after: after)]
        }
    }

    /// Zeros added before and after along `axis` (the adjoint of slicing).
    public func padded(axis: Int, before: Int, after: Int) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        if before == 0 && after == 0 { return self }
        let (outer, n, inner) = split(at: axis)
        var newShape = shape
        newShape[axis] = n + before + after
        var out = [Float](repeating: 0, count: newShape.elementCount)
        let run = n * inner, paddedRun = newShape[axis] * inner
        for o in 0..<outer {
            out.replaceSubrange((o * paddedRun + before * inner)..<(o * paddedRun + before * inner + run),
                                with: scalars[(o * run)..<((o + 1) * run)])
        }
        return record(Tensor(shape: newShape, scalars: out, node: nil), "pad", [self]) { g, _, _ in
            [g.sliced(axis: axis, before ..< before + n)]
        }
    }

    /// Entries at `indices` along `axis` (NumPy's `take`, PyTorch's `index_select`).
    public func gathered(_ indices: [Int], axis: Int = 0) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        let (outer, n, inner) = split(at: axis)
        require(indices.allSatisfy { (0..<n).contains($0) }, "gathered: an index is out of 0..<\(n) for axis \(axis) of shape \(shape)")
        var newShape = shape
        newShape[axis] = indices.count
        var out = [Float]()
        out.reserveCapacity(newShape.elementCount)
        for o in 0..<outer {
            for i in indices { out.append(contentsOf: scalars[((o * n + i) * inner)..<((o * n + i + 1) * inner)]) }
        }
        return record(Tensor(shape: newShape, scalars: out, node: nil), "gather", [self]) { g, _, _ in
            [g.scatterAdded(indices, axis: axis, size: n)]
        }
    }

    /// A tensor with `size` entries along `axis`, where entry `indices[j]` accumulates this
    /// tensor's entry j (the adjoint of `gathered`).
    public func scatterAdded(_ indices: [Int], axis: Int, size: Int) -> Tensor {
        let axis = axis < 0 ? axis + rank : axis
        require(shape[axis] == indices.count, "scatterAdded: \(indices.count) indices for axis \(axis) of shape \(shape)")
        let (outer, m, inner) = split(at: axis)
        var newShape = shape
        newShape[axis] = size
        var out = [Float](repeating: 0, count: newShape.elementCount)
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                for k in 0..<inner { out[(o * size + i) * inner + k] += scalars[(o * m + j) * inner + k] }
            }
        }
        return record(Tensor(shape: newShape, scalars: out, node: nil), "scatterAdd", [self]) { g, _, _ in
            [g.gathered(indices, axis: axis)]
        }
    }
}
