import Cluster
import Experiments
import Envs
import Foundation
import Synchronization

/// The paper's comparison (Finn et al. 2017, §5.3, Figures 4–5): MAML against a pretrained policy,
/// a random initialisation and the oracle, all adapted by the same inner update on the same
/// held-out tasks. The step sizes of pretrained and random are chosen by a sweep on separate
/// validation tasks, as the paper tuned them.
public struct MethodEvaluation: Sendable, Codable {
    public var method: Method
    public var env: String
    /// Step sizes used at test time (α₁, α₂, …).
    public var stepSizes: [Float]
    public var curve: AdaptationCurve
    /// The sweep: mean post-adaptation return on validation tasks for each first-step α.
    public var sweep: [String: Double]?
    /// The second sweep: the same score for each ratio α₂/α₁ of the later steps to the first.
    public var laterStepSweep: [String: Double]?
    /// The held-out tasks, in order (absent from files written before it was recorded).
    public var tasks: [Task]? = nil
}

public struct ExperimentComparison: Sendable {
    public var experiment: String
    public var settings: EvaluationSettings
    public var methods: [MethodEvaluation]
    /// Held-out rollouts of MAML and pretrained, and their checkpoints (for trajectory pictures).
    public var rollouts: [Method: [TaskRollout]]
    public var checkpoints: [Method: PolicyCheckpoint]
}

public enum Comparison {
    /// The first-step α values tried for pretrained and random (the second step uses half).
    public static let sweepStepSizes: [Float] = [0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]
    /// The ratios α₂/α₁ tried for the later steps of every adapted method, MAML included (its
    /// first step keeps the α it was meta-trained with). Half, the paper's test scripts' rule,
    /// comes first and wins ties. Navigation showed why: the trained α of 0.5 then 0.25 overshoots
    /// a goal the first step nearly reached, and every method's later steps did best smaller.
    public static let laterStepRatios: [Float] = [0.5, 1, 0.25, 0.125]

    /// Evaluates every method whose checkpoint is in `folder` (`maml`, `cavia`, `rl2`,
    /// `pretrained`, `oracle` `.safetensors`; RL² on trials of the same tasks), plus `random` (the MAML policy's shape, freshly initialised), with
    /// `episodes` per adaptation step (default: the MAML policy's training K). `progress` hears,
    /// from the worker threads, each task rollout finished (sweeps included) out of the total.
    /// Under MPI each evaluation's tasks are shared among the ranks, every rank gets every result,
    /// and `rollouts` holds rank 0's (its first task's are the ones drawn).
    public static func run(experiment: String, folder: URL, settings requested: EvaluationSettings, episodes: Int? = nil,
                           cluster: Cluster = .world,
                           progress: @escaping @Sendable (_ method: Method, _ done: Int, _ total: Int) -> Void = { _, _, _ in })
        throws -> ExperimentComparison {
        let load = { (method: Method) throws -> PolicyCheckpoint? in
            try PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("\(method.rawValue).safetensors"))
        }
        guard let maml = try PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("maml.safetensors")) else {
            throw PolicyCheckpoint.Error.invalid(path: folder.appendingPathComponent("maml.safetensors").path, reason: "missing")
        }
        var settings = requested
        settings.episodesPerTask = episodes ?? maml.config.episodesPerTask
        let random = maml.randomBaseline(seed: settings.seed)

        var results: [MethodEvaluation] = []
        var rollouts: [Method: [TaskRollout]] = [:]
        var checkpoints: [Method: PolicyCheckpoint] = [:]
        let candidates: [(Method, PolicyCheckpoint?)] = [(.maml, maml), (.cavia, try load(.cavia)), (.pretrained, try load(.pretrained)),
                                                         (.random, random), (.oracle, try load(.oracle))]
        let rl2 = try RecurrentPolicyCheckpoint.readIfPresent(folder.appendingPathComponent("\(Method.rl2.rawValue).safetensors"))
        let total = candidates.filter { $0.1 != nil }.reduce(0) { $0 + rolloutCount($1.0, settings: settings) } + (rl2 == nil ? 0 : settings.taskCount)
        let done = Atomic<Int>(0)
        for (method, checkpoint) in candidates {
            guard let checkpoint else { continue }
            let tick: @Sendable () -> Void = { progress(method, done.add(1, ordering: .relaxed).newValue, total) }
            var methodSettings = settings
            var sweep: [String: Double]?, laterStepSweep: [String: Double]?
            switch method {
            case _ where !sweepsFirstStep(method) && method.adaptsAtTest:
                methodSettings.stepSizes = PolicyGradientAdaptation.halvingSchedule(checkpoint.config.innerStepSize(of: checkpoint.policy))
            case .oracle:
                methodSettings.adaptationSteps = 0
            default:
                let (best, scores) = try sweepSchedules(checkpoint, sweepStepSizes.map { (String($0), PolicyGradientAdaptation.halvingSchedule($0)) },
                                                        settings: methodSettings, cluster: cluster, onTaskDone: tick)
                methodSettings.stepSizes = best
                sweep = scores
            }
            if method.adaptsAtTest && settings.adaptationSteps > 1 {
                let alpha = methodSettings.stepSizes[0]
                let (best, scores) = try sweepSchedules(checkpoint, laterStepRatios.map { (String($0), [alpha, alpha * $0]) },
                                                        settings: methodSettings, cluster: cluster, onTaskDone: tick)
                methodSettings.stepSizes = best
                laterStepSweep = scores
            }
            let (curve, tasks, taskRollouts) = try evaluateAdaptation(policy: checkpoint.policy, parameters: checkpoint.parameters,
                                                                      env: checkpoint.env, envConfig: checkpoint.config.envConfig,
                                                                      settings: methodSettings, gamma: checkpoint.config.gamma,
                                                                      lambda: checkpoint.config.gaeLambda, cluster: cluster, onTaskDone: tick)
            if method == .maml || method == .pretrained {
                rollouts[method] = taskRollouts
                checkpoints[method] = checkpoint
            }
            results.append(MethodEvaluation(method: method, env: checkpoint.env, stepSizes: methodSettings.stepSizes,
                                            curve: curve, sweep: sweep, laterStepSweep: laterStepSweep, tasks: tasks))
        }
        if let rl2 {
            guard rl2.env == maml.env else {
                throw PolicyCheckpoint.Error.invalid(path: folder.appendingPathComponent("rl2.safetensors").path,
                                                     reason: "it acts in \(rl2.env), the experiment's MAML policy in \(maml.env)")
            }
            // RL² adapts within a trial: its curve's points are a trial's episodes on the same tasks.
            let (curve, tasks) = try rl2.evaluateTrials(settings: settings, cluster: cluster) { progress(.rl2, done.add(1, ordering: .relaxed).newValue, total) }
            results.insert(MethodEvaluation(method: .rl2, env: rl2.env, stepSizes: [], curve: curve, tasks: tasks),
                           at: results.lastIndex { $0.method.adaptsInTraining }.map { $0 + 1 } ?? 0)
        }
        return ExperimentComparison(experiment: experiment, settings: settings, methods: results, rollouts: rollouts, checkpoints: checkpoints)
    }

    /// Of `schedules` (a label and the step sizes α₁, α₂, …), the one with the best mean return
    /// after 1…N steps on validation tasks (a seed of their own, a quarter as many as the test
    /// tasks), and every label's score.
    static func sweepSchedules(_ checkpoint: PolicyCheckpoint, _ schedules: [(String, [Float])], settings: EvaluationSettings,
                               cluster: Cluster = .world, onTaskDone: @escaping @Sendable () -> Void = {}) throws -> ([Float], [String: Double]) {
        var validation = settings
        validation.seed = settings.seed &+ 7_919
        validation.taskCount = validationTaskCount(settings)
        let (best, scores) = try StepSizeSweep.best(schedules, higherIsBetter: true) { _, schedule in
            validation.stepSizes = schedule
            let (curve, _, _) = try evaluateAdaptation(policy: checkpoint.policy, parameters: checkpoint.parameters, env: checkpoint.env,
                                                       envConfig: checkpoint.config.envConfig, settings: validation,
                                                       gamma: checkpoint.config.gamma, lambda: checkpoint.config.gaeLambda,
                                                       cluster: cluster, onTaskDone: onTaskDone)
            return curve.meanReturn.dropFirst().reduce(0, +) / Double(max(curve.meanReturn.count - 1, 1))
        }
        return (best.1, Dictionary(uniqueKeysWithValues: zip(schedules.map(\.0), scores)))
    }
}

extension Comparison {
    /// Whether a method's first step size is swept: pretrained's and random's are, as the paper
    /// tuned them; the meta-trained methods' (MAML, CAVIA) first step keeps its trained α.
    static func sweepsFirstStep(_ method: Method) -> Bool { method.adaptsAtTest && !method.adaptsInTraining }

    /// Validation tasks of a sweep: a quarter as many as the test tasks, at least 5.
    static func validationTaskCount(_ settings: EvaluationSettings) -> Int { max(5, settings.taskCount / 4) }

    /// Task rollouts `run` makes for one method: its sweeps' and the held-out tasks'.
    static func rolloutCount(_ method: Method, settings: EvaluationSettings) -> Int {
        let validation = validationTaskCount(settings)
        let firstSweep = sweepsFirstStep(method) ? sweepStepSizes.count * validation : 0
        let laterSweep = method.adaptsAtTest && settings.adaptationSteps > 1 ? laterStepRatios.count * validation : 0
        return firstSweep + laterSweep + settings.taskCount
    }
}

extension PolicyCheckpoint {
    /// The checkpoint at `url`, nil if there is no file; a file that is there but unusable throws.
    public static func readIfPresent(_ url: URL) throws -> PolicyCheckpoint? {
        FileManager.default.fileExists(atPath: url.path) ? try read(url) : nil
    }
}

extension RecurrentPolicyCheckpoint {
    /// The RL² checkpoint at `url`, nil if there is no file; a file that is there but unusable throws.
    public static func readIfPresent(_ url: URL) throws -> RecurrentPolicyCheckpoint? {
        FileManager.default.fileExists(atPath: url.path) ? try read(url) : nil
    }
}
