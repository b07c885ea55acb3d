import Envs
import Foundation

/// TRPO's settings (pytorch-maml-rl's defaults, REFERENCE.md).
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
public struct MetaStepLog: Sendable, Codable {
    public var returnBefore = 0.0
    public var returnAfter = 0.0
    /// Mean KL between the old and the accepted new adapted policies (0 if rejected).
    public var kl = 0.0
    public var surrogateBefore = 0.0
    public var surrogateAfter = 0.0
    /// Backtracking steps of the accepted update, or −1 when no step was accepted.
    public var lineSearchSteps = -1
    public var envSteps = 0
    public var samplingSeconds = 0.0
    public var adaptationSeconds = 0.0
    public var metaUpdateSeconds = 0.0
    /// Why the update was rejected, if it was (θ is then kept).
    public var rejection: String?
}

/// MAML with a TRPO meta-update (Finn et al. 2017, Algorithm 3 and §5.3): for each task, adapt
/// θ by policy-gradient steps on fresh episodes, then move θ to improve the post-adaptation
/// surrogate, differentiating through the adaptation, within a KL trust region measured on the
/// adapted policies. Fisher-vector products are exact Hessian-vector products of that KL through
/// the adaptation (`TaskObjective`), not finite differences.
public struct MAMLTRPO: Sendable {
    public var inner: InnerLoop
    /// Adaptation steps per task during meta-training (0: plain multi-task TRPO, the pretrained
    /// and oracle baselines).
    public var innerSteps: Int
    /// First-order MAML: no gradient through the inner step's gradient.
    public var firstOrder: Bool
    public var trpo: TRPOSettings

    public init(inner: InnerLoop, innerSteps: Int, firstOrder: Bool = false, trpo: TRPOSettings = TRPOSettings()) {
        self.inner = inner
        self.innerSteps = innerSteps
        self.firstOrder = firstOrder
        self.trpo = trpo
    }

    var policy: GaussianMLPPolicy { inner.policy }

    /// One meta-iteration on `tasks`: returns the new θ (θ itself if the update was rejected).
    public func step(_ theta: Parameters, tasks: [Task], sampler: Sampler, seed: UInt64) throws -> (Parameters, MetaStepLog) {
        var log = MetaStepLog()
        let clock = Clock()

        // Sampling: for each task, fresh episodes before every adaptation step and after the last.
        var seeds = Xoshiro256(seed: seed)
        let taskSeeds = tasks.map { _ in seeds.next() }
        let rollouts = try parallelMap(tasks.count, workers: sampler.workers) { i, worker in
            try inner.rollOut(task: tasks[i], from: theta, steps: innerSteps, sampler: sampler, seed: taskSeeds[i], worker: worker)
        }
        log.returnBefore = rollouts.map(\.returnBefore).mean
        log.returnAfter = rollouts.map(\.returnAfter).mean
        log.envSteps = rollouts.reduce(0) { $0 + $1.stepCount }
        log.samplingSeconds = clock.lap()

        // Adaptation as a function of θ, and each task's objective and KL gradient.
        let objectives = parallelMap(tasks.count, workers: sampler.workers) { i, _ in objective(rollouts[i], at: theta) }
        log.adaptationSeconds = clock.lap()

        // TRPO: natural gradient direction by conjugate gradient, scaled to the trust region.
        let lossBefore = objectives.map { Double($0.surrogate.scalar) }.mean
        log.surrogateBefore = lossBefore
        let g = theta.unflattened(average(objectives.map { $0.surrogateGradient.flattened() }))
        let fisherProduct = { (v: Tensor) -> Tensor in
            let vp = theta.unflattened(v)
            let products = parallelMap(objectives.count, workers: sampler.workers) { i, _ in
                objectives[i].fisherProduct(vp).flattened()
            }
            return average(products) + self.trpo.cgDamping * v
        }
        let (direction, fisherDirection) = conjugateGradient(fisherProduct, g.flattened(), iterations: trpo.cgIterations)
        let curvature = 0.5 * (direction * fisherDirection).sum().scalar
        guard direction.scalars.allSatisfy(\.isFinite), curvature.isFinite, curvature > 0 else {
            log.rejection = "non-finite or non-positive natural-gradient step (sᵀFs/2 = \(curvature))"
            log.metaUpdateSeconds = clock.lap()
            return (theta, log)
        }
        let fullStep = direction * (trpo.maxKL / curvature).squareRoot()

        let accepted = try backtrackingLineSearch(ratio: trpo.lineSearchRatio, maxSteps: trpo.lineSearchSteps, { scale in
            let candidate = theta.zip(theta.unflattened(scale * fullStep)) { $0 - $1 }
            return (candidate, try evaluate(candidate, rollouts: rollouts, objectives: objectives, workers: sampler.workers))
        }, accept: { _, result in
            result.loss.isFinite && result.kl.isFinite && result.loss < lossBefore && result.kl <= Double(trpo.maxKL)
        })
        log.metaUpdateSeconds = clock.lap()
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

    /// One task's meta-objective around θ: surrogate, gradient and Fisher-vector products.
    func objective(_ rollout: TaskRollout, at theta: Parameters) -> TaskObjective {
        TaskObjective(rollout, at: theta, inner: inner, firstOrder: firstOrder)
    }

    /// The mean surrogate and KL at a candidate θ, re-adapting on the same episodes.
    func evaluate(_ candidate: Parameters, rollouts: [TaskRollout], objectives: [TaskObjective],
                  workers: Int) throws -> (loss: Double, kl: Double) {
        let values = parallelMap(rollouts.count, workers: workers) { i, _ -> (Double, Double) in
            let adapted = inner.adapt(candidate, on: rollouts[i].adaptation, createGraph: false).detached()
            return withoutGradients {
                let batch = rollouts[i].validation
                let loss = policy.surrogateLoss(batch.episodes, advantages: batch.advantages, adapted)
                let kl = policy.meanKL(batch.episodes, oldMeans: objectives[i].oldMeans, oldLogStd: objectives[i].oldLogStd, adapted)
                return (Double(loss.scalar), Double(kl.scalar))
            }
        }
        return (values.map(\.0).mean, values.map(\.1).mean)
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
