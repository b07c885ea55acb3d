/// One task's part of the TRPO meta-update around θ: the post-adaptation surrogate S(θ′(θ)), its
/// gradient in θ, Fisher-vector products of the mean KL between the old and new adapted policies,
/// and the surrogate and KL at a candidate θ. Vectors are flat, in `Parameters.flattened()` order.
protocol MetaObjective: Sendable {
    /// S(θ′) at θ.
    var surrogate: Double { get }
    /// ∇θ S(θ′(θ)).
    var surrogateGradient: [Float] { get }
    /// F v, the exact Hessian in θ of the mean KL at the trust region's centre, times v.
    func fisherProduct(_ v: [Float], workspace: MetaWorkspace) -> [Float]
    /// The surrogate and mean KL at a candidate θ, re-adapting on the same episodes.
    func evaluate(_ candidate: [Float], workspace: MetaWorkspace) -> (loss: Double, kl: Double)
}

/// How the meta-update computes its derivatives. Both are exact and agree to float rounding.
public enum MetaGradientEngine: String, Sendable, Codable, CaseIterable {
    /// Hand-derived products on `MLPTape`s (`MLPTaskObjective`): no graph, buffers reused, every
    /// matrix product through BLAS. The default.
    case tape
    /// Differentiating recorded graphs with the autodiff (`TaskObjective`): the general reference,
    /// for any policy the autodiff can express.
    case autodiff
}

/// One thread's scratch space for the meta-update (tapes of many tasks share it).
final class MetaWorkspace: @unchecked Sendable {
    let products = MLPTape.Workspace()
    /// A tape for line-search evaluations, which must leave the tasks' own tapes untouched.
    let scratch: GaussianPolicyTape

    init(policy: GaussianMLPPolicy) {
        scratch = GaussianPolicyTape(policy: policy)
    }
}
