import Foundation

/// The input scaling of learned optimisers (Andrychowicz et al. 2016, Appendix A), used by their
/// coordinatewise LSTM optimiser and by the meta-LSTM of Ravi & Larochelle 2017: gradients and
/// losses span many orders of magnitude, which an LSTM cannot read directly, so each value x
/// becomes two of order one, magnitude and sign apart:
///
///     (log|x| / p, sign x)   if |x| ≥ e^−p
///     (−1, e^p · x)          otherwise,            p = 10 in the paper.
///
/// Both learners feed it gradients they treat as constants (the papers drop second derivatives),
/// so it works on plain numbers and records nothing.
public enum GradientPreprocessing {
    /// Values [n] (any shape, read flat) → [n, 2], one row per value.
    public static func apply(_ x: Tensor, p: Float = 10) -> Tensor {
        let threshold = Foundation.exp(-p), scale = Foundation.exp(p)
        var rows = [Float](repeating: 0, count: 2 * x.count)
        x.withUnsafeBufferPointer { g in
            for i in 0..<g.count {
                let magnitude = Swift.abs(g[i])
                if magnitude >= threshold {
                    rows[2 * i] = Foundation.log(magnitude) / p
                    rows[2 * i + 1] = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                } else {
                    rows[2 * i] = -1
                    rows[2 * i + 1] = scale * g[i]
                }
            }
        }
        return Tensor(shape: [x.count, 2], scalars: rows)
    }
}
