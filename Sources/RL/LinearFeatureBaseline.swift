import Foundation

/// The linear feature baseline of rllab and pytorch-maml-rl: a value estimate V(s_t) linear in
/// features [s, s², t/T, (t/T)², (t/T)³, 1], fitted by ridge least squares to the discounted
/// returns of the very batch it then serves (refitted per task and per adaptation step).
public struct LinearFeatureBaseline: Sendable {
    /// Ridge regularisation, raised ×10 and retried when the normal equations are singular.
    public var regularization: Double = 1e-5
    /// The time scale T of the time features (rllab and pytorch-maml-rl use 100).
    public var timeScale: Double = 100

    public init(regularization: Double = 1e-5, timeScale: Double = 100) {
        self.regularization = regularization
        self.timeScale = timeScale
    }

    /// Features of every row (padding rows are all zero), [rows × featureCount], row-major.
    public func features(_ episodes: Episodes) -> (values: [Double], featureCount: Int) {
        let d = episodes.observations.shape[1]
        let width = 2 * d + 4
        var out = [Double](repeating: 0, count: episodes.masks.count * width)
        episodes.observations.withUnsafeBufferPointer { obs in
            for row in 0..<episodes.masks.count where episodes.masks[row] > 0 {
                let t = Double(row / episodes.count) / timeScale
                for j in 0..<d {
                    let o = Double(obs[row * d + j])
                    out[row * width + j] = o
                    out[row * width + d + j] = o * o
                }
                out[row * width + 2 * d] = t
                out[row * width + 2 * d + 1] = t * t
                out[row * width + 2 * d + 2] = t * t * t
                out[row * width + 2 * d + 3] = 1
            }
        }
        return (out, width)
    }

    /// Fits the weights to `targets` and returns the fitted values of every row (0 on padding).
    public func fitAndPredict(_ episodes: Episodes, targets: [Float]) -> [Float] {
        let (x, width) = features(episodes)
        let rows = episodes.masks.count
        // Normal equations XᵀX w = Xᵀy in double precision, through BLAS (padding rows are zero).
        let y = zip(targets, episodes.masks).map { Double($1 > 0 ? $0 : 0) }
        var xtx = [Double](repeating: 0, count: width * width)
        var xty = [Double](repeating: 0, count: width)
        x.withUnsafeBufferPointer { x in
            BLAS.gemm(transposeA: true, m: width, n: width, k: rows, x.baseAddress!, lda: width, x.baseAddress!, ldb: width,
                      &xtx, ldc: width)
            y.withUnsafeBufferPointer { BLAS.gemm(transposeA: true, m: width, n: 1, k: rows, x.baseAddress!, lda: width, $0.baseAddress!, ldb: 1, &xty, ldc: 1) }
        }
        var weights = [Double](repeating: 0, count: width)
        var ridge = regularization
        for _ in 0..<6 {
            var a = xtx
            for i in 0..<width { a[i * width + i] += ridge }
            if let w = choleskySolve(a, xty, size: width), w.allSatisfy(\.isFinite) { weights = w; break }
            ridge *= 10
        }
        var fitted = [Double](repeating: 0, count: rows)
        x.withUnsafeBufferPointer { x in
            BLAS.gemm(m: rows, n: 1, k: width, x.baseAddress!, lda: width, weights, ldb: 1, &fitted, ldc: 1)
        }
        return zip(fitted, episodes.masks).map { $1 > 0 ? Float($0) : 0 }
    }
}

/// Solves A x = b for symmetric positive-definite A (row-major, size × size) by Cholesky
/// factorisation; nil when A is not positive definite (numerically).
func choleskySolve(_ a: [Double], _ b: [Double], size n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var s = a[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard s > 0 else { return nil }
                l[i * n + i] = s.squareRoot()
            } else {
                l[i * n + j] = s / l[j * n + j]
            }
        }
    }
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var s = b[i]
        for k in 0..<i { s -= l[i * n + k] * y[k] }
        y[i] = s / l[i * n + i]
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
        var s = y[i]
        for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
        x[i] = s / l[i * n + i]
    }
    return x
}
