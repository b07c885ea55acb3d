import NN

/// Random quadratics f(θ) = ‖Wθ − y‖² (Andrychowicz et al. 2016, §3.1): W [d, d] and y [d] with
/// i.i.d. standard normal entries, θ₀ ~ N(0, σ²) per coordinate (σ = 0.01 in the authors' code,
/// deepmind/learning-to-learn `problems.py`). A batch of `count` functions in one θ [count·d].
public struct Quadratics: Optimizee {
    public let dimension: Int
    /// W of every function, [count, d, d].
    public let weights: Tensor
    /// y of every function, [count, d].
    public let targets: Tensor
    public let initialPoint: Tensor

    public var problemCount: Int { targets.shape[0] }

    /// `count` functions and starting points drawn from `rng`.
    public init<G: RandomNumberGenerator>(count: Int, dimension: Int, initialStd: Float, using rng: inout G) {
        self.dimension = dimension
        weights = Tensor.randomNormal([count, dimension, dimension], using: &rng)
        targets = Tensor.randomNormal([count, dimension], using: &rng)
        initialPoint = Tensor.randomNormal([count * dimension], std: initialStd, using: &rng)
    }

    /// ‖W_k θ_k − y_k‖² for each function k: Wθ as a broadcast product summed over columns (there is
    /// no batched matrix product, and d is 10).
    public func losses(_ theta: Tensor, step: Int) -> Tensor {
        let (count, d) = (problemCount, dimension)
        let product = (weights * theta.reshaped([count, 1, d])).sum(axis: 2)
        return (product - targets).square().sum(axis: 1)
    }
}
