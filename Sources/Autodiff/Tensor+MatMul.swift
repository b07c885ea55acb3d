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
                        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                                    transposeB ? CblasTrans : CblasNoTrans,
                                    Int32(m), Int32(n), Int32(k), 1, pa.baseAddress! + i * m * k, Int32(lda),
                                    pb.baseAddress! + i * k * n, Int32(ldb), 0, c.baseAddress! + i * m * n, Int32(n))
                    }
                }
            }
        }
        initialized = batch * m * n
    }
}

/// Process-wide settings for numeric work, applied once before the first matrix product.
public enum BLAS {
    static let configureOnce: Void = {
        // OpenBLAS's own threading is erratic on policy-sized shapes (measured 4× slower with 2
        // threads on 4000×100·100×6): run it single-threaded and parallelise across tasks and
        // environments instead, unless OPENBLAS_NUM_THREADS says otherwise.
        if getenv("OPENBLAS_NUM_THREADS") == nil { openblas_set_num_threads(1) }
        #if canImport(Glibc)
        // Tensors of a few MB are allocated and freed at every op. By default glibc serves them
        // with fresh mmap pages and returns freed memory to the kernel, so every op pays page
        // faults (measured: MLP forward+backward 7.4 ms → 4.2 ms without them). Keep them on the
        // heap and keep the heap.
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 256 << 20)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30)
        #endif
    }()

    /// Applies the settings above now (they are otherwise applied at the first product).
    public static func configure() { _ = configureOnce }

    /// Sets the number of threads OpenBLAS uses for one product.
    public static func setThreadCount(_ count: Int) {
        configure()
        openblas_set_num_threads(Int32(count))
    }

    public static var threadCount: Int {
        configure()
        return Int(openblas_get_num_threads())
    }

    /// The number of processors OpenBLAS would use by default.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }
}

#if canImport(Glibc)
import Glibc

/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
