import Config
import Envs
import Experiments
import Foundation
import Parallel

/// RL² training (Duan et al. 2016) with checkpoints and resume, on the same experiments, task
/// distributions and seeds as MAML: each iteration samples `metaBatchSize` tasks, K trials of
/// `episodesPerTrial` episodes each (K = the config's `episodesPerTask`), and takes one TRPO step
/// through the recurrence. Every iteration's randomness derives from the seed and the iteration.
public final class RL2Trainer {
    public let config: MetaRLConfig
    public let runDirectory: URL
    public let sampler: TrialSampler
    public let learner: RecurrentTRPO
    public let tasks: TaskDistribution
    public private(set) var parameters: Parameters
    public private(set) var iteration = 0
    public var checkpointMetadata: [String: String] = [:]
    private var earlierWallSeconds = 0.0
    let progress: ProgressLog

    public var checkpointURL: URL { runDirectory.appendingPathComponent("checkpoint.safetensors") }

    /// The columns of progress.csv: the mean return in each episode of a trial, then TRPO's figures.
    public static func progressColumns(episodesPerTrial: Int) -> [String] {
        ["iteration"] + (1...episodesPerTrial).map { "return_episode_\($0)" }
            + ["kl", "surrogate_before", "surrogate_after", "line_search_steps", "env_steps", "sampling_s", "update_s", "wall_s", "rejection"]
    }

    public init(config: MetaRLConfig, runDirectory: URL, resume: Bool) throws {
        self.config = config
        self.runDirectory = runDirectory
        let spec = try EnvRegistry.spec(config.env)
        tasks = spec.tasks
        let probe = try spec.make(config: config.envConfig)
        let policy = GaussianGRUPolicy(observationSize: probe.observationSpace.count, actionSize: probe.actionSpace.count,
                                       hiddenSize: config.recurrentHiddenSize)
        sampler = try TrialSampler(envName: config.env, envConfig: config.envConfig, policy: policy, trialsPerTask: config.episodesPerTask,
                                   episodesPerTrial: config.episodesPerTrial, workers: config.threads)
        learner = RecurrentTRPO(policy: policy, trpo: config.trpo, gamma: config.gamma, lambda: config.gaeLambda)
        var rng = Xoshiro256(seed: config.seed)
        parameters = policy.initialParameters(initialLogStd: config.initialLogStd, using: &rng)
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        progress = ProgressLog(url: runDirectory.appendingPathComponent("progress.csv"),
                               columns: Self.progressColumns(episodesPerTrial: config.episodesPerTrial),
                               events: try TensorBoardLog(folder: runDirectory))
        AtomicFile.removeStaleTemporaries(for: checkpointURL)
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else { throw ResumeError(folder: runDirectory.path) }
            let saved = try RecurrentPolicyCheckpoint.read(checkpointURL)
            guard saved.policy == policy, saved.env == config.env else {
                throw PolicyCheckpoint.Error.invalid(path: checkpointURL.path, reason: "it was trained with another policy or env")
            }
            parameters = saved.parameters
            iteration = saved.iteration
            earlierWallSeconds = try progress.truncate(after: iteration)
        } else {
            try config.yaml().write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            try progress.start()
        }
    }

    /// What one iteration did and cost.
    public struct IterationLog: Sendable {
        /// Mean return in each episode of a trial, over the batch's tasks.
        public var returnByEpisode: [Double]
        public var update: RecurrentTRPO.Log
        public var envSteps: Int
        public var samplingSeconds: Double
        public var updateSeconds: Double
    }

    /// Runs iterations until `config.iterations` (or `until`), checkpointing on schedule.
    public func train(until last: Int? = nil, onIteration: (Int, IterationLog) -> Void = { _, _ in }) throws {
        let last = last ?? config.iterations
        let start = Date()
        while iteration < last {
            let clock = Date()
            var rng = Xoshiro256(seed: config.seed(ofIteration: iteration))
            let batch = tasks.sample(config.metaBatchSize, using: &rng)
            let seeds = batch.map { _ in rng.next() }
            let theta = parameters
            let trials = try parallelMap(batch.count, workers: sampler.workers) { i, worker in
                try sampler.sample(task: batch[i], parameters: theta, seed: seeds[i], worker: worker)
            }
            let sampling = Date().timeIntervalSince(clock)
            let (next, log) = learner.step(parameters, trials: trials, workers: sampler.workers)
            parameters = next
            iteration += 1
            let perEpisode = (0..<config.episodesPerTrial).map { e in trials.map { $0.meanReturnPerEpisode[e] }.reduce(0, +) / Double(trials.count) }
            let f = ProgressLog.field
            let record = IterationLog(returnByEpisode: perEpisode, update: log, envSteps: trials.reduce(0) { $0 + Int($1.rowMasks.sum().scalar) },
                                      samplingSeconds: sampling, updateSeconds: Date().timeIntervalSince(clock) - sampling)
            try progress.append([[String(iteration)] + perEpisode.map(f)
                + [f(log.kl), f(log.surrogateBefore), f(log.surrogateAfter), String(log.lineSearchSteps), String(record.envSteps),
                   f(record.samplingSeconds), f(record.updateSeconds), f(earlierWallSeconds + Date().timeIntervalSince(start)), log.rejection ?? ""]])
            if iteration % config.checkpointEvery == 0 || iteration == last { try checkpoint() }
            onIteration(iteration, record)
        }
    }

    public func checkpoint() throws {
        var meta = checkpointMetadata
        meta["blas_kernel"] = BLAS.kernelDescription
        try RecurrentPolicyCheckpoint(parameters: parameters, policy: sampler.policy, env: config.env, config: config,
                                      iteration: iteration, metadata: meta).write(to: checkpointURL)
    }
}
