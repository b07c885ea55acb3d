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

/// Tapes and workspaces kept from one meta-iteration to the next, so that the meta-update
/// allocates (and the kernel zero-fills) its hundreds of megabytes once, not every iteration.
/// A learner runs one meta-iteration at a time.
final class MetaUpdateBuffers: @unchecked Sendable {
    private var tapes: [[GaussianPolicyTape]] = []
    private var workspaces: [MetaWorkspace] = []

    /// `perTask` tapes for each of `tasks` tasks, with room for `rows` rows (a batch's most), and
    /// one workspace per worker.
    func prepare(tasks: Int, perTask: Int, rows: Int, workers: Int, policy: GaussianMLPPolicy) -> ([[GaussianPolicyTape]], [MetaWorkspace]) {
        if tapes.first?.first?.policy != policy || workspaces.first?.scratch.policy != policy { (tapes, workspaces) = ([], []) }
        while tapes.count < tasks { tapes.append([]) }
        for i in 0..<tasks {
            while tapes[i].count < perTask { tapes[i].append(GaussianPolicyTape(policy: policy)) }
            for tape in tapes[i] { tape.mean.reserve(rows) }
        }
        while workspaces.count < workers { workspaces.append(MetaWorkspace(policy: policy)) }
        return (tapes.prefix(tasks).map { Array($0.prefix(perTask)) }, Array(workspaces.prefix(workers)))
    }
}
