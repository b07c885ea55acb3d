import Cluster
import Envs
import Experiments
import Foundation
import Parallel

/// Meta-test evaluation (Finn et al. 2017, Figures 4–5): on held-out tasks, the average return
/// after 0, 1, …, N policy-gradient steps, each step taken on K fresh episodes and each return
/// measured on fresh episodes of the adapted policy.
public struct AdaptationCurve: Sendable, Codable {
    /// 0, 1, …, N.
    public var steps: [Int]
    /// Mean over tasks of the average episode return after each number of steps.
    public var meanReturn: [Double]
    /// Half-width of the 95% confidence interval of each mean (1.96 standard errors over tasks).
    public var ci95: [Double]
    /// Task-by-step returns, [task][step].
    public var perTask: [[Double]]

    init(perTask: [[Double]]) {
        self.perTask = perTask
        steps = Array(0..<(perTask.first?.count ?? 0))
        let summaries = steps.map { s in Statistics.meanAndInterval(perTask.map { $0[s] }) }
        meanReturn = summaries.map(\.mean)
        ci95 = summaries.map(\.ci95)
    }

    /// Task-by-task differences `self − other` after each number of steps, for two methods
    /// evaluated on the same held-out tasks. Pairing cancels the tasks' spread in difficulty (a far
    /// goal is hard for every method), so its interval is much tighter than either curve's and says
    /// whether one method is better on the same tasks. An unadapted `other` (one column: the oracle)
    /// is compared with every step of `self`. Nil for curves of different tasks.
    public func minus(_ other: AdaptationCurve) -> AdaptationCurve? {
        Statistics.pairedDifferences(perTask, other.perTask).map(AdaptationCurve.init)
    }

    /// The first `count` points (0 … count − 1 steps, or episodes of a trial).
    public func prefix(_ count: Int) -> AdaptationCurve { AdaptationCurve(perTask: perTask.map { Array($0.prefix(count)) }) }
}

/// How to evaluate: the held-out tasks, adaptation steps and their step sizes.
public struct EvaluationSettings: Sendable, Codable {
    public var taskCount = 40
    public var adaptationSteps = 3
    /// α of each step; the last is reused (the paper's test scripts: 0.1, then half that).
    public var stepSizes: [Float] = [0.1, 0.05]
    public var episodesPerTask = 20
    /// Seed of the held-out tasks and their episodes; training derives its seeds from the
    /// config's seed through a different stream, so these tasks are not the training tasks.
    public var seed: UInt64 = 1_000_003
    public var workers = 2
    public init() {}
}

/// Evaluates `parameters` of `policy` on `env`: adaptation curve over held-out tasks, the tasks,
/// and the rollouts of the tasks this rank evaluated (every task's in a single process; rank 0's
/// share begins with the first task). `onTaskDone` is called (from the worker threads) as each of
/// this rank's task rollouts finishes.
public func evaluateAdaptation(policy: GaussianMLPPolicy, parameters: Parameters, env: String, envConfig: EnvConfig = EnvConfig(),
                               settings: EvaluationSettings, gamma: Float = 0.99, lambda: Float = 1, cluster: Cluster = .world,
                               onTaskDone: @Sendable () -> Void = {}) throws -> (curve: AdaptationCurve, tasks: [Task], rollouts: [TaskRollout]) {
    let sampler = try Sampler(envName: env, envConfig: envConfig, policy: policy, episodesPerTask: settings.episodesPerTask, workers: settings.workers)
    let inner = PolicyGradientAdaptation(policy: policy, stepSizes: settings.stepSizes, gamma: gamma, lambda: lambda)
    var rng = Xoshiro256(seed: settings.seed)
    let tasks = try EnvRegistry.spec(env).tasks.sample(settings.taskCount, using: &rng)
    let seeds = tasks.map { _ in rng.next() }
    let mine = cluster.share(of: tasks.count)
    let rollouts = try parallelMap(mine.count, workers: settings.workers) { j, worker in
        defer { onTaskDone() }
        let i = mine.lowerBound + j
        return try inner.rollOut(task: tasks[i], from: parameters, steps: settings.adaptationSteps, sampler: sampler, seed: seeds[i], worker: worker)
    }
    let perTask = cluster.gather(rollouts.map { r in r.adaptation.map(\.episodes.meanReturn) + [r.returnAfter] },
                                 count: tasks.count, length: settings.adaptationSteps + 1)
    return (AdaptationCurve(perTask: perTask), tasks, rollouts)
}
