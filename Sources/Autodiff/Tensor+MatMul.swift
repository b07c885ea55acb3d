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

/// OpenBLAS settings. Its own threading is erratic on policy-sized shapes (measured 4× slower
/// with 2 threads on 4000×100·100×6), so Adapt runs BLAS single-threaded and parallelises across
/// tasks and environments instead, unless OPENBLAS_NUM_THREADS says otherwise.
public enum BLAS {
    static let configureOnce: Void = {
        if getenv("OPENBLAS_NUM_THREADS") == nil { openblas_set_num_threads(1) }
    }()

    /// Sets the number of threads OpenBLAS uses for one product.
    public static func setThreadCount(_ count: Int) {
        _ = configureOnce
        openblas_set_num_threads(Int32(count))
    }

    public static var threadCount: Int {
        _ = configureOnce
        return Int(openblas_get_num_threads())
    }

    /// The number of processors OpenBLAS would use by default.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }
}

#if canImport(Glibc)
import Glibc
#endif
