/// Reductions over axes and their adjoint, broadcasting. Sums accumulate in Double, so long
/// reductions (losses over thousands of samples) keep their precision.
extension Tensor {
    /// The sum of all elements, as a scalar.
    public func sum() -> Tensor {
        let total = scalars.withUnsafeBufferPointer { p in
            var acc = 0.0
            for x in p { acc += Double(x) }
            return Float(acc)
        }
        return record(Tensor(total), "sum", [self]) { g, _, _ in [g.broadcast(to: self.shape)] }
    }

    /// Sums over `axes` (negative axes count from the end), keeping them as size 1 if `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = normalized(axes, op: "sum(axes:)")
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        // Adjacent axes (all of them, the leading ones of a bias gradient) reduce in one pass.
        let reduced = axes.isEmpty || axes.last! - axes.first! + 1 != axes.count
            ? axes.reduce(self.detached()) { $0.sumValues(axis: $1) }
            : sumValues(axes: axes.first!..<(axes.last! + 1))
        let y = Tensor(shape: keepDims ? kept : kept.enumerated().filter { !axes.contains($0.offset) }.map(\.element),
                       scalars: reduced.scalars, node: nil)
        return record(y, "sum", [self]) { g, _, _ in
            [g.reshaped(kept).broadcast(to: self.shape)]
        }
    }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = normalized(axes, op: "mean(axes:)").reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) / Float(n)
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// This tensor repeated along its size-1 (or missing leading) dimensions to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        return record(expandedValues(to: target), "broadcast", [self]) { g, _, _ in [g.sum(toShape: self.shape)] }
    }

    /// Sums this tensor down to `target`, a shape that broadcasts to this one: the adjoint of
    /// `broadcast(to:)`, used by every broadcasting op's backward rule.
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        require(lead >= 0, "sum(toShape:): cannot reduce \(shape) to the larger rank of \(target)")
        var axes = Array(0..<lead)
        for (i, size) in target.enumerated() where size != shape[lead + i] {
            require(size == 1, "sum(toShape:): shape \(shape) does not reduce to \(target)")
            axes.append(lead + i)
        }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// The largest element along `axis`. The gradient goes to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let axis = normalized([axis], op: "max(axis:)")[0]
        let (values, mask) = maxValuesAndMask(axis: axis)
        let kept = shape.enumerated().map { $0.offset == axis ? 1 : $0.element }
        var dropped = shape
        dropped.remove(at: axis)
        let y = Tensor(shape: keepDims ? kept : dropped, scalars: values, node: nil)
        return record(y, "max", [self]) { g, _, _ in [g.reshaped(kept).broadcast(to: self.shape) * mask] }
    }

    /// log Σ exp(x) along `axis`, shifted by the (constant) maximum so it cannot overflow.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        let m = max(axis: axis, keepDims: true).detached()
        let y = (self - m).exp().sum(axis: axis, keepDims: true).log() + m
        return keepDims ? y : y.squeezed(axis: axis < 0 ? axis + rank : axis)
    }

    public func logSoftmax(axis: Int) -> Tensor { self - logSumExp(axis: axis, keepDims: true) }

    public func softmax(axis: Int) -> Tensor { logSoftmax(axis: axis).exp() }

    // MARK: - Kernels

    func normalized(_ axes: [Int], op: String) -> [Int] {
        let result = axes.map { $0 < 0 ? $0 + rank : $0 }
        require(result.allSatisfy { (0..<rank).contains($0) } && Set(result).count == result.count,
                     "\(op): axes \(axes) invalid for shape \(shape)")
        return result.sorted()
    }

    /// Views the shape as (outer, n, inner) around `axis`.
    func split(at axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Sums over one axis, keeping it as size 1. Untracked.
    func sumValues(axis: Int) -> Tensor { sumValues(axes: axis..<(axis + 1)) }

    /// Sums over the adjacent `axes`, keeping them as size 1. Untracked.
    func sumValues(axes: Range<Int>) -> Tensor {
        let outer = shape[..<axes.lowerBound].reduce(1, *), n = shape[axes].reduce(1, *)
        let inner = shape[axes.upperBound...].reduce(1, *)
        var kept = shape
        for axis in axes { kept[axis] = 1 }
        if inner == 1 {  // contiguous runs: one running sum each
            let out = [Float](unsafeUninitializedCapacity: outer) { buffer, initialized in
                scalars.withUnsafeBufferPointer { p in
                    for o in 0..<outer {
                        var acc = 0.0
                        for x in UnsafeBufferPointer(rebasing: p[(o * n)..<(o * n + n)]) { acc += Double(x) }
                        buffer[o] = Float(acc)
                    }
                }
                initialized = outer
            }
            return Tensor(shape: kept, scalars: out, node: nil)
        }
        var accumulator = [Double](repeating: 0, count: inner)
        let out = [Float](unsafeUninitializedCapacity: outer * inner) { buffer, initialized in
            scalars.withUnsafeBufferPointer { p in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    for o in 0..<outer {
                        for i in 0..<inner { acc[i] = 0 }
                        for k in 0..<n {
                            let row = p.baseAddress! + (o * n + k) * inner
                            for i in 0..<inner { acc[i] += Double(row[i]) }
                        }
                        for i in 0..<inner { buffer[o * inner + i] = Float(acc[i]) }
                    }
                }
            }
            initialized = outer * inner
        }
        return Tensor(shape: kept, scalars: out, node: nil)
    }

    /// Maxima along `axis` and a 0/1 mask of the first maximal element of each run.
    func maxValuesAndMask(axis: Int) -> ([Float], Tensor) {
        let (outer, n, inner) = split(at: axis)
        require(n > 0, "max(axis:): axis \(axis) of shape \(shape) is empty")
        var values = [Float](repeating: -.infinity, count: outer * inner)
        var mask = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { p in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = 0
                    for k in 1..<n where p[(o * n + k) * inner + i] > p[(o * n + best) * inner + i] { best = k }
                    values[o * inner + i] = p[(o * n + best) * inner + i]
                    mask[(o * n + best) * inner + i] = 1
                }
            }
        }
        return (values, Tensor(shape: shape, scalars: mask, node: nil))
    }
}
