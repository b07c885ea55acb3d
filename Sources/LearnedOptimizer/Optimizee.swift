import NN

/// A problem the learned optimizer (or a baseline) optimizes: a flat parameter vector θ and a
/// loss per independent problem in it. Several problems can share one θ (a batch of quadratics,
/// each owning its own coordinates): coordinatewise optimizers treat them independently, so a
/// batch is exactly that many separate runs, computed in one pass.
public protocol Optimizee {
    /// θ₀, flat [n].
    var initialPoint: Tensor { get }
    /// How many independent problems θ holds (the length of `losses`).
    var problemCount: Int { get }
    /// f_t(θ) of each problem, [problemCount]: differentiable in θ. `step` t picks the data of
    /// stochastic problems (the mini-batch of step t); deterministic problems ignore it.
    func losses(_ theta: Tensor, step: Int) -> Tensor
}

extension Optimizee {
    /// Each problem's loss and the gradient ∇f_t(θ) [n] as constants, at θ cut from the graph:
    /// the optimizer's input, which the paper treats as independent of its weights (§2,
    /// "we assume ∂∇_t/∂φ = 0", so no second derivatives of f are needed).
    public func lossesAndGradient(at theta: Tensor, step: Int) -> (losses: [Float], gradient: Tensor) {
        let leaf = theta.detached().requiringGradient()
        let values = losses(leaf, step: step)
        // Problems own disjoint coordinates, so the gradient of the sum is each one's own gradient.
        let gradient = gradients(of: values.sum(), wrt: [leaf])[0]
        return (values.scalars, gradient)
    }
}
