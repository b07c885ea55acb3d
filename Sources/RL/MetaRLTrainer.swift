import Cluster
import Experiments
import Foundation
import Envs
import Config

/// Meta-training with checkpoints and resume. Every iteration's randomness derives from the seed
/// and the iteration number alone, so a run killed and resumed from its checkpoint produces the
/// same numbers as an uninterrupted one.
public final class MetaRLTrainer {
    public let config: MetaRLConfig
    public let algorithm: Method
    public let runDirectory: URL
    public let sampler: Sampler
    public let learner: MAMLTRPO
    public let tasks: TaskDistribution
    public let envName: String
    public private(set) var parameters: Parameters
    public private(set) var iteration = 0
    /// Extra metadata for checkpoints (e.g. the commit that trained them).
    public var checkpointMetadata: [String: String] = [:]
    /// Wall time of the iterations before a resume, so progress.csv's wall_s counts the whole run.
    private var earlierWallSeconds = 0.0

    /// What this trainer trains, all through the same TRPO code: MAML-TRPO with the config's inner
    /// steps (first-order for `fomaml`, or when the config says so), the pretrained policy (TRPO on
    /// tasks of the distribution, no adaptation), the oracle (TRPO with the task in the observation)
    /// and CAVIA (MAML's meta-update through an inner loop that adapts a context alone).
    public static let methods: [Method] = [.maml, .fomaml, .pretrained, .oracle, .cavia]

    public var checkpointURL: URL { runDirectory.appendingPathComponent("checkpoint.safetensors") }
    public var progressURL: URL { runDirectory.appendingPathComponent("progress.csv") }
    /// progress.csv, mirrored in the run's TensorBoard event file; rank 0's alone (nil elsewhere).
    let progress: ProgressLog?
    /// The processes training together: rank 0 alone reads and writes the run folder.
    public let cluster: Cluster
    /// Draws the policy adapted at an iteration, for TensorBoard every `config.imageEvery`
    /// iterations; set by whoever can render (the CLI), as RL draws nothing itself.
    public var rolloutImage: ((Parameters, _ iteration: Int) throws -> TensorBoardEvent.Image)?

    public init(config: MetaRLConfig, algorithm: Method, runDirectory: URL, resume: Bool,
                engine: MetaGradientEngine = .tape, cluster: Cluster = .world) throws {
        guard Self.methods.contains(algorithm) else { throw UnsupportedMethod(method: algorithm, supported: Self.methods) }
        self.config = config
        self.algorithm = algorithm
        self.runDirectory = runDirectory
        self.cluster = cluster
        envName = EnvRegistry.name(of: config.env, oracle: algorithm == .oracle)
        let spec = try EnvRegistry.spec(envName)
        tasks = spec.tasks
        let probe = try spec.make(config: config.envConfig)
        let policy = config.policy(observationSize: probe.observationSpace.count, actionSize: probe.actionSpace.count, context: algorithm == .cavia)
        sampler = try Sampler(envName: envName, envConfig: config.envConfig, policy: policy,
                              episodesPerTask: config.episodesPerTask, workers: config.threads)
        let inner = PolicyGradientAdaptation(policy: policy, stepSizes: PolicyGradientAdaptation.halvingSchedule(config.innerStepSize(of: policy)), gamma: config.gamma, lambda: config.gaeLambda)
        learner = MAMLTRPO(inner: inner, innerSteps: algorithm.adaptsInTraining ? config.innerSteps : 0,
                           firstOrder: config.firstOrder || algorithm == .fomaml, trpo: config.trpo, engine: engine, cluster: cluster)
        var rng = Xoshiro256(seed: config.seed)
        parameters = policy.initialParameters(initialLogStd: config.initialLogStd, using: &rng)

        try Self.requireGatherable(config: config, parameters: parameters.flattened().scalars.count, cluster: cluster)

        progress = cluster.isRoot ? try Self.openProgress(in: runDirectory, resume: resume, config: config) : nil
        if resume {
            let saved = try readCheckpointOnRoot()
            guard saved.policy == policy, saved.env == envName, saved.algorithm == algorithm.rawValue else {
                throw PolicyCheckpoint.Error.invalid(path: checkpointURL.path, reason:
                    "it was trained as \(saved.algorithm) on \(saved.env), this run is \(algorithm.rawValue) on \(envName)")
            }
            parameters = saved.parameters
            iteration = saved.iteration
            earlierWallSeconds = try progress?.truncate(after: iteration) ?? 0
        }
    }

    /// Creates (or, to resume, reopens) the run folder's config and progress log.
    private static func openProgress(in runDirectory: URL, resume: Bool, config: MetaRLConfig) throws -> ProgressLog {
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        let progress = ProgressLog(url: runDirectory.appendingPathComponent("progress.csv"), columns: MetaRLStepLog.progressColumns,
                                   events: try TensorBoardLog(folder: runDirectory))
        if !resume {
            try config.yaml().write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            try progress.start()
        }
        return progress
    }

    /// The checkpoint to resume from, read by rank 0 and sent to every rank (the others need no
    /// access to the run folder).
    private func readCheckpointOnRoot() throws -> PolicyCheckpoint {
        var bytes = Data()
        if cluster.isRoot {
            AtomicFile.removeStaleTemporaries(for: checkpointURL)
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else { throw ResumeError(folder: runDirectory.path) }
            do { bytes = try Data(contentsOf: checkpointURL) } catch {
                throw Safetensors.Error.unreadable(path: checkpointURL.path, reason: error.localizedDescription)
            }
        }
        return try PolicyCheckpoint.decode(try cluster.broadcast(bytes), path: checkpointURL.path)
    }

    /// Every rank's per-task vectors must fit one MPI gather (refused here, naming the keys).
    static func requireGatherable(config: MetaRLConfig, parameters: Int, cluster: Cluster) throws {
        let bytes = config.metaBatchSize * parameters * MemoryLayout<Float>.stride
        guard cluster.size == 1 || bytes <= Cluster.messageLimit else {
            throw ClusterError.tooLarge(bytes: bytes, what: "the config's metaBatchSize (\(config.metaBatchSize)) × the policy's \(parameters) parameters")
        }
    }

    /// Runs iterations until `config.iterations` (or `until`), checkpointing on schedule;
    /// `onIteration` sees each iteration's log (for progress bars).
    public func train(until last: Int? = nil, onIteration: (Int, MetaRLStepLog) -> Void = { _, _ in }) throws {
        let last = last ?? config.iterations
        let start = Date()
        while iteration < last {
            var rng = Xoshiro256(seed: config.seed(ofIteration: iteration))
            let batch = tasks.sample(config.metaBatchSize, using: &rng)
            let (next, log) = try learner.step(parameters, tasks: batch, sampler: sampler, seed: rng.next())
            parameters = next
            iteration += 1
            try cluster.requireAgreement(on: parameters.flattened().scalars, what: "θ after iteration \(iteration)")
            guard let progress else {
                onIteration(iteration, log)
                continue
            }
            try progress.append([log.progressRow(iteration: iteration, wallSeconds: earlierWallSeconds + Date().timeIntervalSince(start))])
            if let rolloutImage, config.imageEvery > 0, iteration % config.imageEvery == 0 {
                try progress.events?.append([TensorBoardEvent(wallTime: Date().timeIntervalSince1970, step: iteration,
                                                              images: [rolloutImage(parameters, iteration)])])
            }
            if iteration % config.checkpointEvery == 0 || iteration == last { try checkpoint() }
            onIteration(iteration, log)
        }
    }

    /// Writes the checkpoint, naming the BLAS kernel that computed it (results reproduce per kernel).
    public func checkpoint() throws {
        guard cluster.isRoot else { return }
        var extra = checkpointMetadata
        extra["blas_kernel"] = BLAS.kernelDescription
        try PolicyCheckpoint(parameters: parameters, policy: sampler.policy, env: envName, algorithm: algorithm.rawValue,
                             config: config, iteration: iteration, extra: extra).write(to: checkpointURL)
    }
}

/// A method this stack does not train.
public struct UnsupportedMethod: Error, CustomStringConvertible {
    public let method: Method
    public let supported: [Method]
    public var description: String { "\(method.rawValue) is not trained here (meta-RL trains \(Method.names(supported)))" }
}

/// `--resume` of a run that has no checkpoint to continue.
public struct ResumeError: Error, CustomStringConvertible {
    public let folder: String
    public var description: String { "--resume: no checkpoint in \(folder) to continue (run without --resume to start this run)" }
}

extension MetaRLStepLog {
    /// The columns of a meta-RL run's progress.csv.
    static let progressColumns = ["iteration", "return_before", "return_after", "kl", "surrogate_before", "surrogate_after",
                                  "line_search_steps", "env_steps", "sampling_s", "adaptation_s", "meta_update_s", "wall_s", "rejection",
                                  "adaptation_gradient_norm"]

    /// This iteration's row.
    func progressRow(iteration: Int, wallSeconds: Double) -> [String] {
        let f = ProgressLog.field
        return [String(iteration), f(returnBefore), f(returnAfter), f(kl), f(surrogateBefore), f(surrogateAfter), String(lineSearchSteps),
                String(envSteps), f(samplingSeconds), f(adaptationSeconds), f(metaUpdateSeconds), f(wallSeconds), rejection ?? "",
                f(adaptationGradientNorm)]
    }
}
