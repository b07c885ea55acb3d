import CBLAS

/// Matrix products through OpenBLAS's `cblas_sgemm`. Transposes are passed to BLAS as flags, so
/// neither the forward nor the backward pass copies a matrix to transpose it.
extension Tensor {
    /// op(a) · op(b) for rank-2 tensors, where op transposes when the flag is set.
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        require(a.rank == 2 && b.rank == 2, "matmul: needs rank-2 tensors, got shapes \(a.shape) and \(b.shape)")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        require(k == k2, "matmul: shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "") do not chain (\(k) vs \(k2))")
        let y = Tensor(shape: [m, n], scalars: gemm(a.scalars, b.scalars, m: m, n: n, k: k,
                                                    lda: a.shape[1], ldb: b.shape[1],
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
}

@inline(__always)
private func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, lda: Int, ldb: Int,
                  transposeA: Bool, transposeB: Bool) -> [Float] {
    BLAS.configureOnce
    return [Float](unsafeUninitializedCapacity: m * n) { c, initialized in
        if k == 0 {
            for i in 0..<(m * n) { c[i] = 0 }
        } else if m > 0 && n > 0 {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                                transposeB ? CblasTrans : CblasNoTrans,
                                Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(lda),
                                pb.baseAddress, Int32(ldb), 0, c.baseAddress, Int32(n))
                }
            }
        }
        initialized = m * n
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
