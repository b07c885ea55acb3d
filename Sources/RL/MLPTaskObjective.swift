/// `TaskObjective`'s chain rules computed on tapes instead of graphs: the same exact surrogate
/// gradient Jᵀ∇θ′S and Fisher product Jᵀ(∇²θ′KL)J through the adaptation
/// θ′ = θ_n, θ_k = θ_{k−1} − α_k ∇L_k(θ_{k−1}), with J = Π_k (I − α_k H_k). Each inner step keeps
/// its tape at θ_{k−1} (H_k w is a Hessian-vector product on it); the post-adaptation batch keeps
/// its tape at θ′ (the KL's Hessian there is a Gauss–Newton product). Nothing is recorded, and the
/// tapes' buffers are reused by every product of the conjugate gradient.
final class MLPTaskObjective: MetaObjective, @unchecked Sendable {
    let surrogate: Double
    let surrogateGradient: [Float]
    private let stepSizes: [Float]
    /// One tape per inner step, at the parameters the step was taken from (none for first-order
    /// MAML, whose J is the identity, and for the baselines, which do not adapt).
    private let innerTapes: [GaussianPolicyTape]
    private let adaptationBatches: [StepBatch]
    private let validation: GaussianPolicyTape
    private let oldMeans: [Float]
    private let oldLogStd: [Float]

    /// `tapes`: one per inner step (none for first-order MAML) and one for the post-adaptation
    /// batch, last; their earlier contents are overwritten.
    init(_ rollout: TaskRollout, at theta: [Float], inner: PolicyGradientAdaptation, firstOrder: Bool, tapes: [GaussianPolicyTape],
         workspace: MetaWorkspace) {
        require(inner.policy.contextSize == 0, "MLPTaskObjective: a policy with a context takes the autodiff engine")
        adaptationBatches = rollout.adaptation.map(StepBatch.init)
        stepSizes = adaptationBatches.indices.map(inner.stepSize)
        require(tapes.count == (firstOrder ? 0 : adaptationBatches.count) + 1, "MLPTaskObjective: \(tapes.count) tapes")
        var current = theta
        for (k, batch) in adaptationBatches.enumerated() {
            let tape = firstOrder ? workspace.scratch : tapes[k]
            tape.forward(current, on: batch)
            let g = tape.gradient(weights: batch.weights)
            current = Self.step(current, g, stepSizes[k])
        }
        innerTapes = firstOrder ? [] : Array(tapes.dropLast())
        validation = tapes.last!
        validation.forward(current, on: StepBatch(rollout.validation))
        oldMeans = Array(validation.mean.outputs)
        oldLogStd = validation.logStd
        let (value, weights) = validation.surrogate()
        surrogate = value
        surrogateGradient = Self.pullBack(validation.gradient(weights: weights), through: innerTapes, stepSizes, workspace)
    }

    /// θ′ (flat), for tests.
    var adaptedParameters: [Float] { validation.parameters }

    func fisherProduct(_ v: [Float], workspace: MetaWorkspace) -> [Float] {
        var w = v
        for (tape, alpha) in zip(innerTapes, stepSizes) { w = Self.step(w, tape.hessianProduct(w, workspace: workspace.products), alpha) }
        let product = validation.fisherProduct(w, workspace: workspace.products)
        return Self.pullBack(product, through: innerTapes, stepSizes, workspace)
    }

    func evaluate(_ candidate: [Float], workspace: MetaWorkspace) -> (loss: Double, kl: Double) {
        let tape = workspace.scratch
        var current = candidate
        for (k, batch) in adaptationBatches.enumerated() {
            tape.forward(current, on: batch)
            current = Self.step(current, tape.gradient(weights: batch.weights), stepSizes[k])
        }
        tape.forward(current, on: validation.batch!)
        return (tape.surrogate().value, tape.meanKL(oldMeans: oldMeans, oldLogStd: oldLogStd))
    }

    /// Jᵀ u: a gradient at θ′ carried back to θ, last step first (each H_k is symmetric).
    private static func pullBack(_ u: [Float], through tapes: [GaussianPolicyTape], _ stepSizes: [Float],
                                 _ workspace: MetaWorkspace) -> [Float] {
        zip(tapes, stepSizes).reversed().reduce(u) { w, step in
            Self.step(w, step.0.hessianProduct(w, workspace: workspace.products), step.1)
        }
    }

    /// x − α y.
    private static func step(_ x: [Float], _ y: [Float], _ alpha: Float) -> [Float] {
        zip(x, y).map { $0 - alpha * $1 }
    }
}
