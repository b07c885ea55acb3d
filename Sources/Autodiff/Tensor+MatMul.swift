import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`. Transposes are passed to BLAS as flags, so
/// neither the forward nor the backward pass copies a matrix to transpose it.
extension Tensor {
    /// op(a) · op(b), where op transposes (the last two axes) when the flag is set. Rank-2
    /// tensors give one product; rank-3 tensors [batch, ·, ·] give one product per batch entry
    /// (a batched matmul: meta-learning runs a meta-batch of tasks, each with its own weights, as
    /// one graph).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        require((a.rank == 2 || a.rank == 3) && b.rank == a.rank && (a.rank == 2 || a.shape[0] == b.shape[0]),
                "matmul: needs two rank-2 tensors or two rank-3 tensors with equal batch, got shapes \(a.shape) and \(b.shape)")
        let batch = a.rank == 3 ? a.shape[0] : 1
        let (rows, cols) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (rowsB, colsB) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (cols, rows) : (rows, cols)
        let (k2, n) = transposeB ? (colsB, rowsB) : (rowsB, colsB)
        require(k == k2, "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not chain (\(k) vs \(k2))")
        let y = Tensor(shape: a.rank == 3 ? [batch, m, n] : [m, n],
                       scalars: gemm(a.scalars, b.scalars, batch: batch, m: m, n: n, k: k, lda: cols, ldb: colsB,
                                     transposeA: transposeA, transposeB: transposeB), node: nil)
        return record(y, "matmul", [a, b]) { g, _, needs in
            // C = op(A)·op(B): dA and dB written as products of g with the other factor.
            let da: Tensor? = needs[0] ? (transposeA
                ? matmul(b, g, transposeA: transposeB, transposeB: true)
                : matmul(g, b, transposeB: !transposeB)) : nil
            let db: Tensor? = needs[1] ? (transposeB
                ? matmul(g, a, transposeA: true, transposeB: transposeA)
                : matmul(a, g, transposeA: !transposeA)) : nil
            return [da, db]
        }
    }

    /// self · other.
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }

    /// x·W + b, the fully connected layer, in one pass: the output starts as b's rows and sgemm
    /// accumulates x·W into it (β = 1, as BLAS's own bias trick), so no separate broadcast add is
    /// made or differentiated. x [rows, in], W [in, out], b [out]; task-batched, x [tasks, rows, in],
    /// W [tasks, in, out], b [tasks, out].
    public static func affine(_ x: Tensor, _ weight: Tensor, _ bias: Tensor) -> Tensor {
        let batched = weight.rank == 3
        require(x.rank == weight.rank && (weight.rank == 2 || weight.rank == 3) && bias.rank == weight.rank - 1
                    && x.shape.last == weight.shape[weight.rank - 2] && bias.shape.last == weight.shape.last
                    && (!batched || (x.shape[0] == weight.shape[0] && bias.shape[0] == weight.shape[0])),
                "affine: shapes x \(x.shape), W \(weight.shape), b \(bias.shape) do not fit x·W + b")
        let batch = batched ? x.shape[0] : 1
        let (m, k, n) = (x.shape[x.rank - 2], x.shape[x.rank - 1], weight.shape[weight.rank - 1])
        BLAS.configureOnce
        let scalars = [Float](unsafeUninitializedCapacity: batch * m * n) { c, initialized in
            bias.scalars.withUnsafeBufferPointer { pb in
                for t in 0..<batch {
                    for row in 0..<m { (c.baseAddress! + (t * m + row) * n).update(from: pb.baseAddress! + t * n, count: n) }
                }
            }
            if k > 0 && m > 0 && n > 0 {
                x.scalars.withUnsafeBufferPointer { px in
                    weight.scalars.withUnsafeBufferPointer { pw in
                        for t in 0..<batch {
                            BLAS.gemm(m: m, n: n, k: k, px.baseAddress! + t * m * k, lda: k, pw.baseAddress! + t * k * n, ldb: n,
                                      beta: 1, c.baseAddress! + t * m * n, ldc: n)
                        }
                    }
                }
            }
            initialized = batch * m * n
        }
        let y = Tensor(shape: batched ? [batch, m, n] : [m, n], scalars: scalars, node: nil)
        return record(y, "affine", [x, weight, bias]) { g, _, needs in
            [needs[0] ? matmul(g, weight, transposeB: true) : nil,
             needs[1] ? matmul(x, g, transposeA: true) : nil,
             needs[2] ? g.sum(axis: g.rank - 2) : nil]
        }
    }

    /// Σ x² over the elements in `range` (all by default), as a value: BLAS's vectorised dot
    /// product, for gradient norms.
    public func sumOfSquares(_ range: Range<Int>? = nil) -> Float {
        let range = range ?? 0 ..< count
        require(range.lowerBound >= 0 && range.upperBound <= count, "sumOfSquares: \(range) outside \(count) elements")
        guard !range.isEmpty else { return 0 }
        return scalars.withUnsafeBufferPointer { p in
            let start = p.baseAddress! + range.lowerBound
            return cblas_sdot(Int32(range.count), start, 1, start, 1)
        }
    }
}

@inline(__always)
private func gemm(_ a: [Float], _ b: [Float], batch: Int, m: Int, n: Int, k: Int, lda: Int, ldb: Int,
                  transposeA: Bool, transposeB: Bool) -> [Float] {
    BLAS.configureOnce
    return [Float](unsafeUninitializedCapacity: batch * m * n) { c, initialized in
        if k == 0 {
            for i in 0..<(batch * m * n) { c[i] = 0 }
        } else if m > 0 && n > 0 {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for i in 0..<batch {
                        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, pa.baseAddress! + i * m * k,
                                  lda: lda, pb.baseAddress! + i * k * n, ldb: ldb, c.baseAddress! + i * m * n, ldc: n)
                    }
                }
            }
        }
        initialized = batch * m * n
    }
}
