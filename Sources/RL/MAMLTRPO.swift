import Cluster
import Envs
import Foundation
import Parallel

/// TRPO's settings (pytorch-maml-rl's defaults, `configs/maml/*.yaml`).
public struct TRPOSettings: Sendable, Codable, Equatable {
    /// Trust region: the largest mean KL between the old and new adapted policies.
    public var maxKL: Float = 0.01
    public var cgIterations: Int = 10
    /// Added to every Fisher-vector product (F + damping·I), for a well-posed solve.
    public var cgDamping: Float = 1e-5
    public var lineSearchRatio: Float = 0.8
    public var lineSearchSteps: Int = 15
    public init() {}
}

/// One row of progress.csv: what a meta-update did and what it cost.
public struct MetaRLStepLog: Sendable, Codable {
    public var returnBefore = 0.0
    public var returnAfter = 0.0
    /// Mean KL between the old and the accepted new adapted policies (0 if rejected).
    public var kl = 0.0
    /// ‖∇θ L‖ of the first inner step's gradient, averaged over the meta-batch (0 without
    /// adaptation): how hard the inner loop pushes.
    public var adaptationGradientNorm = 0.0
    public var surrogateBefore = 0.0
    public var surrogateAfter = 0.0
    /// Backtracking steps of the accepted update, or −1 when no step was accepted.
    public var lineSearchSteps = -1
    public var envSteps = 0
    public var samplingSeconds = 0.0
    public var adaptationSeconds = 0.0
    public var metaUpdateSeconds = 0.0
    /// Matrix arithmetic (2·m·n·k per product) of building the objectives and of the update.
    public var adaptationFlops = 0
    public var metaUpdateFlops = 0
    /// Why the update was rejected, if it was (θ is then kept).
    public var rejection: String?
}

/// MAML with a TRPO meta-update (Finn et al. 2017, Algorithm 3 and §5.3): for each task, adapt
/// θ by policy-gradient steps on fresh episodes, then move θ to improve the post-adaptation
/// surrogate, differentiating through the adaptation, within a KL trust region measured on the
/// adapted policies. Fisher-vector products are exact Hessian-vector products of that KL through
/// the adaptation (`TaskObjective`), not finite differences.
public struct MAMLTRPO: Sendable {
    public var inner: PolicyGradientAdaptation
    /// Adaptation steps per task during meta-training (0: plain multi-task TRPO, the pretrained
    /// and oracle baselines).
    public var innerSteps: Int
    /// First-order MAML: no gradient through the inner step's gradient.
    public var firstOrder: Bool
    public var trpo: TRPOSettings
    /// How the derivatives are computed (both exact; `.tape` is the fast one).
    public var engine: MetaGradientEngine
    /// The processes sharing the meta-batch: each rank samples and differentiates its block of
    /// tasks, and every per-task result is gathered in task order before it is summed.
    public var cluster: Cluster
    /// Kept across iterations; a learner (and its copies) runs one `step` at a time.
    private let buffers = MetaUpdateBuffers()

    public init(inner: PolicyGradientAdaptation, innerSteps: Int, firstOrder: Bool = false, trpo: TRPOSettings = TRPOSettings(),
                engine: MetaGradientEngine = .tape, cluster: Cluster = .world) {
        self.inner = inner
        self.cluster = cluster
        self.innerSteps = innerSteps
        self.firstOrder = firstOrder
        self.trpo = trpo
        // The tapes' hand-derived products know no context input: CAVIA's policies take the
        // autodiff's (exact, general, about a third slower on half-cheetah-dir).
        self.engine = inner.policy.contextSize > 0 ? .autodiff : engine
    }

    var policy: GaussianMLPPolicy { inner.policy }

    /// One meta-iteration on `tasks`: returns the new θ (θ itself if the update was rejected).
    public func step(_ theta: Parameters, tasks: [Task], sampler: Sampler, seed: UInt64) throws -> (Parameters, MetaRLStepLog) {
        var log = MetaRLStepLog()
        let clock = Clock()
        var flops = BLAS.matrixFlops
        func flopLap() -> Int {
            defer { flops = BLAS.matrixFlops }
            return BLAS.matrixFlops - flops
        }

        // Sampling: for each of this rank's tasks, fresh episodes before every adaptation step and
        // after the last. Seeds belong to tasks, not ranks or threads.
        var seeds = Xoshiro256(seed: seed)
        let taskSeeds = tasks.map { _ in seeds.next() }
        let mine = cluster.share(of: tasks.count)
        let rollouts = try parallelMap(mine.count, workers: sampler.workers) { j, worker in
            let i = mine.lowerBound + j
            return try inner.rollOut(task: tasks[i], from: theta, steps: innerSteps, sampler: sampler, seed: taskSeeds[i], worker: worker)
        }
        let statistics = cluster.gather(rollouts.map { [$0.returnBefore, $0.returnAfter, Double($0.stepCount), $0.gradientNorms.first ?? 0] },
                                        count: tasks.count, length: 4)
        log.returnBefore = statistics.map { $0[0] }.mean
        log.returnAfter = statistics.map { $0[1] }.mean
        log.envSteps = Int(statistics.reduce(0) { $0 + $1[2] })
        log.adaptationGradientNorm = statistics.map { $0[3] }.mean
        log.samplingSeconds = clock.lap()
        _ = flopLap()

        // Adaptation as a function of θ, and each task's objective and KL gradient.
        let (tapes, workspaces) = buffers.prepare(tasks: mine.count, perTask: tapesPerTask,
                                                  rows: sampler.episodesPerTask * sampler.horizon, workers: sampler.workers, policy: policy)
        let flatTheta = theta.flattened().scalars
        let objectives = parallelMap(mine.count, workers: sampler.workers) { j, w in
            objective(rollouts[j], at: theta, flat: flatTheta, tapes: tapes[j], workspace: workspaces[w])
        }
        log.adaptationSeconds = clock.lap()
        log.adaptationFlops = flopLap()

        // TRPO: natural gradient direction by conjugate gradient, scaled to the trust region. Each
        // sum runs over every task's value in task order, on every rank alike.
        let lossBefore = cluster.gather(objectives.map { [$0.surrogate] }, count: tasks.count, length: 1).map { $0[0] }.mean
        log.surrogateBefore = lossBefore
        let g = average(cluster.gather(objectives.map(\.surrogateGradient), count: tasks.count, length: flatTheta.count).map { Tensor($0) })
        let fisherProduct = { (v: Tensor) -> Tensor in
            let local = parallelMap(objectives.count, workers: sampler.workers) { j, w in
                objectives[j].fisherProduct(v.scalars, workspace: workspaces[w])
            }
            return average(self.cluster.gather(local, count: tasks.count, length: v.scalars.count).map { Tensor($0) }) + self.trpo.cgDamping * v
        }
        let (direction, fisherDirection) = conjugateGradient(fisherProduct, g, iterations: trpo.cgIterations)
        let curvature = 0.5 * (direction * fisherDirection).sum().scalar
        guard direction.scalars.allSatisfy(\.isFinite), curvature.isFinite, curvature > 0 else {
            log.rejection = "non-finite or non-positive natural-gradient step (sᵀFs/2 = \(curvature))"
            log.metaUpdateSeconds = clock.lap()
            return (theta, log)
        }
        let fullStep = direction * (trpo.maxKL / curvature).squareRoot()

        let accepted = backtrackingLineSearch(ratio: trpo.lineSearchRatio, maxSteps: trpo.lineSearchSteps, { scale in
            let candidate = Tensor(flatTheta) - scale * fullStep
            let local = parallelMap(objectives.count, workers: sampler.workers) { j, w in
                let value = objectives[j].evaluate(candidate.scalars, workspace: workspaces[w])
                return [value.loss, value.kl]
            }
            let values = cluster.gather(local, count: tasks.count, length: 2)
            return (theta.unflattened(candidate), (loss: values.map { $0[0] }.mean, kl: values.map { $0[1] }.mean))
        }, accept: { _, result in
            result.loss.isFinite && result.kl.isFinite && result.loss < lossBefore && result.kl <= Double(trpo.maxKL)
        })
        log.metaUpdateSeconds = clock.lap()
        log.metaUpdateFlops = flopLap()
        guard let accepted else {
            log.rejection = "line search found no step that improves the surrogate within KL ≤ \(trpo.maxKL)"
            log.surrogateAfter = lossBefore
            return (theta, log)
        }
        let (newTheta, result) = accepted.value
        guard newTheta.isFinite else {
            log.rejection = "the accepted parameters are not finite"
            return (theta, log)
        }
        log.lineSearchSteps = accepted.index
        log.surrogateAfter = result.loss
        log.kl = result.kl
        return (newTheta, log)
    }

    /// Tapes an objective needs: one per inner step (none first-order) and the post-adaptation one.
    var tapesPerTask: Int { engine == .tape ? (firstOrder ? 0 : innerSteps) + 1 : 0 }

    /// One task's meta-objective around θ: surrogate, gradient and Fisher-vector products.
    /// `tapes` (`tapesPerTask` of them; nil: new ones) are overwritten.
    func objective(_ rollout: TaskRollout, at theta: Parameters, flat: [Float], tapes: [GaussianPolicyTape]? = nil,
                   workspace: MetaWorkspace) -> any MetaObjective {
        switch engine {
        case .tape:
            MLPTaskObjective(rollout, at: flat, inner: inner, firstOrder: firstOrder,
                             tapes: tapes ?? (0..<tapesPerTask).map { _ in GaussianPolicyTape(policy: policy) }, workspace: workspace)
        case .autodiff: TaskObjective(rollout, at: theta, inner: inner, firstOrder: firstOrder)
        }
    }
}

func average(_ tensors: [Tensor]) -> Tensor {
    tensors.dropFirst().reduce(tensors[0], +) / Float(tensors.count)
}

extension Array where Element == Double {
    var mean: Double { isEmpty ? 0 : reduce(0, +) / Double(count) }
}

/// Wall-clock laps.
final class Clock {
    private var last = DispatchTime.now().uptimeNanoseconds
    func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) * 1e-9
    }
}
