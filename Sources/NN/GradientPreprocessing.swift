import Foundation

/// The input scaling of learned optimisers (Andrychowicz et al. 2016, Appendix A), used by the
/// meta-LSTM of Ravi & Larochelle 2017 and by Meta Networks too: gradients and losses span many
/// orders of magnitude, so each value x becomes two,
///
///     (log|x| / p, sign x)   if |x| ≥ e^−p
///     (−1, e^p · x)          otherwise,
///
/// with p = 10: magnitude and sign apart, both of order one.
public enum GradientPreprocessing {
    public static let p: Float = 10

    /// Values [n] (any shape, read flat) → [n, 2]. Differentiable in x, away from the threshold
    /// (the branch taken is a constant of the graph).
    public static func apply(_ x: Tensor) -> Tensor {
        let flat = x.reshaped([x.count, 1])
        let threshold = Float(Foundation.exp(-Double(p)))
        let large = Tensor(shape: flat.shape, scalars: flat.scalars.map { abs($0) >= threshold ? 1 : 0 })
        let sign = Tensor(shape: flat.shape, scalars: flat.scalars.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
        // |x| + (1 − large) keeps the logarithm's argument ≥ 1 on the branch not taken.
        let magnitude = large * ((flat.abs() + (1 - large)).log() / p) + (large - 1)
        let scaled = large * sign + (1 - large) * (Float(Foundation.exp(Double(p))) * flat)
        return Tensor.concatenate([magnitude, scaled], axis: 1)
    }
}
