/// Shape arithmetic and the strided loops behind broadcasting (NumPy's rules: shapes are aligned
/// on the right; a dimension of 1, or a missing one, stretches to match).
enum Broadcast {
    /// The broadcast shape of `a` and `b`, or a stop naming both shapes and the op.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            require(da == db || da == 1 || db == 1,
                         "\(op): shapes \(a) and \(b) do not broadcast (dimension \(i): \(da) vs \(db))")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// When `part` is `whole` with one run of adjacent axes reduced to size 1 (or missing on the
    /// left), `whole` viewed as (outer, n, inner) around that run; else nil.
    static func repeatedRun(of part: [Int], in whole: [Int]) -> (outer: Int, n: Int, inner: Int)? {
        guard part.count <= whole.count else { return nil }
        let lead = whole.count - part.count
        var reduced: [Int] = Array(0..<lead)
        for (i, size) in part.enumerated() where size != whole[lead + i] {
            guard size == 1 else { return nil }
            reduced.append(lead + i)
        }
        guard let first = reduced.first, let last = reduced.last, last - first + 1 == reduced.count else { return nil }
        return (whole[..<first].reduce(1, *), whole[first...last].reduce(1, *), whole[(last + 1)...].reduce(1, *))
    }

    /// Element strides of `shape` read as if it had `target`'s shape: 0 along stretched dimensions.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let t = i + target.count - shape.count
            strides[t] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Calls `body(outOffset, aOffset, bOffset, n, aStride, bStride)` for each run along the
    /// innermost dimension of `shape`, with `a` and `b` read through the given strides.
    @inline(__always)
    static func forEachRun(shape: [Int], aStrides: [Int], bStrides: [Int],
                           _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let total = shape.elementCount
        guard total > 0 else { return }
        guard let n = shape.last else { body(0, 0, 0, 1, 0, 0); return }
        let rank = shape.count
        let sa = aStrides[rank - 1], sb = bStrides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var aOffset = 0, bOffset = 0
        var out = 0
        while out < total {
            body(out, aOffset, bOffset, n, sa, sb)
            out += n
            // Advance the outer index like an odometer, keeping both offsets in step.
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                aOffset += aStrides[d]
                bOffset += bStrides[d]
                if index[d] < shape[d] { break }
                aOffset -= aStrides[d] * shape[d]
                bOffset -= bStrides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// Applies `f` element-wise to two broadcast tensors. Untracked: the caller records.
    @inline(__always)
    static func zipBroadcast(_ a: Tensor, _ b: Tensor, op: String,
                             _ f: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            let out = [Float](unsafeUninitializedCapacity: a.count) { buffer, initialized in
                a.scalars.withUnsafeBufferPointer { pa in
                    b.scalars.withUnsafeBufferPointer { pb in
                        for i in 0..<pa.count { buffer[i] = f(pa[i], pb[i]) }
                    }
                }
                initialized = a.count
            }
            return Tensor(shape: a.shape, scalars: out, node: nil)
        }
        let shape = Broadcast.shape(a.shape, b.shape, op: op)
        let count = shape.elementCount
        if b.count == 1 && shape == a.shape {
            let s = b.scalars[0]
            return a.mapValues { f($0, s) }
        }
        if a.count == 1 && shape == b.shape {
            let s = a.scalars[0]
            return b.mapValues { f(s, $0) }
        }
        // One operand repeated along adjacent axes of the other (a bias, a per-task row): no odometer.
        if shape == a.shape, let run = Broadcast.repeatedRun(of: b.shape, in: a.shape) {
            return zipRepeating(a, b, run) { f($0, $1) }
        }
        if shape == b.shape, let run = Broadcast.repeatedRun(of: a.shape, in: b.shape) {
            return zipRepeating(b, a, run) { f($1, $0) }
        }
        let aStrides = Broadcast.strides(of: a.shape, broadcastTo: shape)
        let bStrides = Broadcast.strides(of: b.shape, broadcastTo: shape)
        let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            a.scalars.withUnsafeBufferPointer { pa in
                b.scalars.withUnsafeBufferPointer { pb in
                    Broadcast.forEachRun(shape: shape, aStrides: aStrides, bStrides: bStrides) { o, ao, bo, n, sa, sb in
                        if sa == 1 && sb == 1 {
                            for i in 0..<n { buffer[o + i] = f(pa[ao + i], pb[bo + i]) }
                        } else if sa == 1 {
                            let y = pb[bo]
                            for i in 0..<n { buffer[o + i] = f(pa[ao + i], y) }
                        } else if sb == 1 {
                            let x = pa[ao]
                            for i in 0..<n { buffer[o + i] = f(x, pb[bo + i]) }
                        } else {
                            let value = f(pa[ao], pb[bo])
                            for i in 0..<n { buffer[o + i] = value }
                        }
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: shape, scalars: out, node: nil)
    }

    /// f(x, y) for every element x of `whole` and the element y of `part` it lines up with, where
    /// `part` is `whole` with the adjacent axes of `run.n` elements reduced to size 1. Untracked.
    @inline(__always)
    static func zipRepeating(_ whole: Tensor, _ part: Tensor, _ run: (outer: Int, n: Int, inner: Int),
                             _ f: (Float, Float) -> Float) -> Tensor {
        let (outer, n, inner) = run
        let out = [Float](unsafeUninitializedCapacity: whole.count) { buffer, initialized in
            whole.scalars.withUnsafeBufferPointer { pw in
                part.scalars.withUnsafeBufferPointer { pp in
                    for o in 0..<outer {
                        if inner == 1 {
                            let y = pp[o]
                            for k in o * n..<(o + 1) * n { buffer[k] = f(pw[k], y) }
                            continue
                        }
                        for k in 0..<n {
                            let start = (o * n + k) * inner
                            for i in 0..<inner { buffer[start + i] = f(pw[start + i], pp[o * inner + i]) }
                        }
                    }
                }
            }
            initialized = whole.count
        }
        return Tensor(shape: whole.shape, scalars: out, node: nil)
    }

    /// Applies `f` to every element. Untracked: the caller records.
    @inline(__always)
    func mapValues(_ f: (Float) -> Float) -> Tensor {
        let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            scalars.withUnsafeBufferPointer { p in
                for i in 0..<p.count { buffer[i] = f(p[i]) }
            }
            initialized = count
        }
        return Tensor(shape: shape, scalars: out, node: nil)
    }

    /// This tensor's values repeated to `target` (a shape it broadcasts to). Untracked.
    func expandedValues(to target: [Int]) -> Tensor {
        if shape == target { return detached() }
        require(Broadcast.shape(shape, target, op: "broadcast(to:)") == target,
                     "broadcast(to:): shape \(shape) does not broadcast to \(target)")
        let count = target.elementCount
        if target.count > shape.count && target.ends(with: shape) {
            // Copies stacked along new leading axes (a parameter per task): whole blocks.
            let block = self.count
            let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                scalars.withUnsafeBufferPointer { p in
                    for start in stride(from: 0, to: count, by: Swift.max(block, 1)) {
                        (buffer.baseAddress! + start).update(from: p.baseAddress!, count: block)
                    }
                }
                initialized = count
            }
            return Tensor(shape: target, scalars: out, node: nil)
        }
        let strides = Broadcast.strides(of: shape, broadcastTo: target)
        let none = [Int](repeating: 0, count: target.count)
        let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            scalars.withUnsafeBufferPointer { p in
                Broadcast.forEachRun(shape: target, aStrides: strides, bStrides: none) { o, ao, _, n, sa, _ in
                    if sa == 1 {
                        for i in 0..<n { buffer[o + i] = p[ao + i] }
                    } else {
                        for i in 0..<n { buffer[o + i] = p[ao] }
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: target, scalars: out, node: nil)
    }

    func reshapedValues(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars, node: nil)
    }
}

extension Array where Element == Int {
    /// Whether this shape's trailing dimensions are `suffix`.
    func ends(with suffix: [Int]) -> Bool {
        suffix.count <= count && zip(self[(count - suffix.count)...], suffix).allSatisfy { $0 == $1 }
    }
}
