import Foundation
import NN

/// The learned optimizer's input scaling (Andrychowicz et al. 2016, Appendix A). Gradients span
/// many orders of magnitude, which an LSTM cannot read directly, so each coordinate's gradient ∇
/// becomes two numbers of order one, magnitude and sign apart:
///
///     (log|∇| / p, sign ∇)   if |∇| ≥ e^−p
///     (−1, e^p · ∇)          otherwise,            p = 10 in the paper.
///
/// The gradient is a constant of the meta-graph (the paper drops second derivatives), so this
/// works on plain numbers and records nothing.
public enum GradientInput {
    /// The two features of one gradient value.
    @inlinable
    public static func features(_ g: Float, p: Float) -> (Float, Float) {
        let magnitude = Swift.abs(g)
        if magnitude >= Foundation.exp(-p) {
            return (Foundation.log(magnitude) / p, g > 0 ? 1 : (g < 0 ? -1 : 0))
        }
        return (-1, Foundation.exp(p) * g)
    }

    /// Gradients [n] (read flat) → the LSTM's input [n, 2], one row per coordinate.
    public static func preprocessed(_ gradient: Tensor, p: Float) -> Tensor {
        let threshold = Foundation.exp(-p), scale = Foundation.exp(p)
        var rows = [Float](repeating: 0, count: 2 * gradient.count)
        gradient.withUnsafeBufferPointer { g in
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
        return Tensor(shape: [gradient.count, 2], scalars: rows)
    }
}
