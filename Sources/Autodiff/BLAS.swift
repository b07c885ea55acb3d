import CBLAS
import CBLASKernel
import Synchronization

/// Process-wide settings for numeric work, applied once before the first matrix product.
public enum BLAS {
    static let configureOnce: Void = {
        // OpenBLAS's own threading is erratic on policy-sized shapes (measured 4× slower with 2
        // threads on 4000×100·100×6): run it single-threaded and parallelise across tasks and
        // environments instead. Always, whatever OPENBLAS_NUM_THREADS says: a product's rounding
        // depends on how it is split over threads, and results must not depend on the variable.
        openblas_set_num_threads(1)
        #if canImport(Glibc)
        // Tensors of a few MB are allocated and freed at every op. By default glibc serves them
        // with fresh mmap pages and returns freed memory to the kernel, so every op pays page
        // faults (measured: MLP forward+backward 7.4 ms → 4.2 ms without them). Keep them on the
        // heap and keep the heap, up to 2 GB (the meta-LSTM's graph peaks near it: one training
        // iteration 20 % faster than with a 1 GB threshold).
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 256 << 20)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
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

    /// C ← op(A)·op(B) + β·C on row-major buffers (`cblas_sgemm`), for kernels that keep their
    /// own buffers instead of tensors. op(A) is m×k, op(B) is k×n; an empty sum (k = 0) gives β·C.
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                            _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard product(m: m, n: n, k: k, beta: beta, c, ldc: ldc) else { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The same in double precision (`cblas_dgemm`), for small least-squares fits.
    public static func gemm(transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
                            _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                            beta: Double = 0, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard product(m: m, n: n, k: k, beta: beta, c, ldc: ldc) else { return }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Whether BLAS has work to do for an m×n result of a k-term sum, counting its FLOPs; an empty
    /// sum (k = 0) is β·C, done here (BLAS rejects k = 0 with some leading dimensions).
    private static func product<T: FloatingPoint>(m: Int, n: Int, k: Int, beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int) -> Bool {
        guard m > 0, n > 0 else { return false }
        guard k > 0 else {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return false
        }
        configure()
        flops.add(2 * m * n * k, ordering: .relaxed)
        return true
    }

    /// Floating-point operations of every matrix product so far (2·m·n·k each), in this process:
    /// the difference over a stretch of work is its matrix arithmetic, for `adapt bench`.
    public static var matrixFlops: Int { flops.load(ordering: .relaxed) }
    private static let flops = Atomic<Int>(0)

    /// The number of processors OpenBLAS would use by default.
    public static var processorCount: Int { Int(openblas_get_num_procs()) }

    /// OpenBLAS's name for the kernel in use, e.g. `Haswell`, `SkylakeX`. Results reproduce per
    /// kernel: kernels round differently in the last bit.
    public static var kernel: String { String(cString: adapt_blas_kernel_core()) }

    /// How the kernel was chosen (see `CBLASKernel`: OpenBLAS's own detection, the user's
    /// OPENBLAS_CORETYPE, or Adapt's choice where OpenBLAS fell back to its generic kernels).
    public static var kernelChoice: String { String(cString: adapt_blas_kernel_choice()) }

    /// Whether the kernel's products matched a reference multiply at start-up.
    public static var kernelVerified: Bool { adapt_blas_kernel_verified() != 0 }

    /// The kernel and how it was chosen, in one line for logs and checkpoint metadata.
    public static var kernelDescription: String {
        "\(kernel) (\(kernelChoice)\(kernelVerified ? "" : "; FAILED the start-up check"))"
    }
}

#if canImport(Glibc)
import Glibc

/// glibc's `mallopt` (declared in malloc.h, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
