import Config
import Envs
import Experiments
import Foundation
import Parallel

/// A meta-gradient RL run with checkpoints and resume. The batch in hand at iteration i was
/// sampled with θ_i under the η it records, from the seed of iteration i alone: a checkpoint holds
/// θ, the critic, η, the three Adam states and that η, and a resumed run samples the same batch
/// again, so it continues with the numbers an uninterrupted run would have.
public final class MetaGradientTrainer {
    public let config: MetaGradientConfig
    public let runDirectory: URL
    public let learner: MetaGradientLearner
    public let task: Task
    public private(set) var iteration = 0
    public var checkpointMetadata: [String: String] = [:]
    private let sampler: Sampler
    /// Sampling splits a batch into this many parts, one per worker.
    private let parts: Int
    private var batch: MetaGradientLearner.Batch?
    private var earlierWallSeconds = 0.0
    let progress: ProgressLog

    public var checkpointURL: URL { runDirectory.appendingPathComponent("checkpoint.safetensors") }
    static let format = "adapt.metagradient.v1"

    public static let progressColumns = ["iteration", "return", "gamma", "lambda", "policy_loss", "value_loss", "meta_objective",
                                         "meta_gradient_gamma", "meta_gradient_lambda", "env_steps", "sampling_s", "update_s",
                                         "meta_update_s", "wall_s"]

    public init(config: MetaGradientConfig, runDirectory: URL, resume: Bool) throws {
        self.config = config
        self.runDirectory = runDirectory
        task = try config.trainingTask()
        let probe = try EnvRegistry.spec(config.env).make(config: config.envConfig)
        learner = MetaGradientLearner(config: config, observationSize: probe.observationSpace.count, actionSize: probe.actionSpace.count)
        parts = config.episodesPerIteration % config.threads == 0 ? config.threads : 1
        sampler = try Sampler(envName: config.env, envConfig: config.envConfig, policy: learner.policy,
                              episodesPerTask: config.episodesPerIteration / parts, workers: parts)
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        progress = ProgressLog(url: runDirectory.appendingPathComponent("progress.csv"), columns: Self.progressColumns,
                               events: try TensorBoardLog(folder: runDirectory))
        AtomicFile.removeStaleTemporaries(for: checkpointURL)
        var batchEta = [config.gamma, config.lambda]
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else { throw ResumeError(folder: runDirectory.path) }
            (iteration, batchEta) = try restore(from: checkpointURL)
            earlierWallSeconds = try progress.truncate(after: iteration)
        } else {
            try config.yaml().write(to: runDirectory.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
            try progress.start()
        }
        batch = try sample(learner.policyParameters, eta: batchEta, iteration: iteration)
    }

    /// K episodes of the task with θ acting under η, from iteration `i`'s seed, on all workers.
    func sample(_ theta: Parameters, eta: [Float], iteration i: Int) throws -> MetaGradientLearner.Batch {
        var rng = Xoshiro256(seed: config.seed(ofIteration: i))
        let seeds = (0..<parts).map { _ in rng.next() }
        let acting = learner.acting(theta, eta: eta)
        let episodes = try parallelMap(parts, workers: parts) { p, worker in
            try sampler.sample(task: task, parameters: acting, seed: seeds[p], worker: worker)
        }
        return MetaGradientLearner.Batch(episodes: episodes, eta: eta)
    }

    /// Runs iterations until `config.iterations` (or `until`), checkpointing on schedule.
    public func train(until last: Int? = nil, onIteration: (Int, MetaGradientStepLog) -> Void = { _, _ in }) throws {
        let last = last ?? config.iterations
        let start = Date()
        while iteration < last, let current = batch {
            let (next, log) = try learner.step(current) { theta, eta in try sample(theta, eta: eta, iteration: iteration + 1) }
            batch = next
            iteration += 1
            let f = ProgressLog.field
            try progress.append([[String(iteration), f(log.returnMean), f(Double(log.gamma)), f(Double(log.lambda)), f(log.policyLoss),
                                  f(log.valueLoss), f(log.metaObjective), f(log.metaGradientGamma), f(log.metaGradientLambda),
                                  String(log.envSteps), f(log.samplingSeconds), f(log.updateSeconds), f(log.metaUpdateSeconds),
                                  f(earlierWallSeconds + Date().timeIntervalSince(start))]])
            if iteration % config.checkpointEvery == 0 || iteration == last { try checkpoint() }
            onIteration(iteration, log)
        }
    }

    /// Writes θ, the critic, η, the optimisers' states and the η of the batch in hand, atomically.
    public func checkpoint() throws {
        var names: [String] = [], tensors: [Tensor] = []
        func add(_ prefix: String, _ p: Parameters?) {
            guard let p else { return }
            names += p.names.map { "\(prefix).\($0)" }
            tensors += p.tensors
        }
        add("policy", learner.policyParameters)
        add("critic", learner.criticParameters)
        add("return", Parameters(names: ["logits"], tensors: [learner.returnLogits]))
        for (name, adam) in learner.optimizers {
            add("adam.\(name).m", adam.firstMoment)
            add("adam.\(name).v", adam.secondMoment)
        }
        var meta = checkpointMetadata
        meta["format"] = Self.format
        meta["algorithm"] = "metagradient"
        meta["env"] = config.env
        meta["task"] = config.task
        meta["iteration"] = String(iteration)
        meta["config"] = try config.yaml()
        meta["batch_eta"] = (batch?.eta ?? []).map { String($0) }.joined(separator: ",")
        for (name, adam) in learner.optimizers { meta["adam_steps.\(name)"] = String(adam.step) }
        meta["blas_kernel"] = BLAS.kernelDescription
        try Safetensors.write(Parameters(names: names, tensors: tensors), metadata: meta, to: checkpointURL)
    }

    /// Reads a checkpoint whole or refuses it; returns its iteration and its batch's η.
    private func restore(from url: URL) throws -> (Int, [Float]) {
        let contents = try Safetensors.read(url)
        let meta = contents.metadata
        func refuse(_ reason: String) -> PolicyCheckpoint.Error { .invalid(path: url.path, reason: reason) }
        guard meta["format"] == Self.format else { throw refuse("not a meta-gradient RL checkpoint (format \(meta["format"] ?? "missing"))") }
        let saved: MetaGradientConfig
        do { saved = try MetaGradientConfig.parse(meta["config"] ?? "", file: url.path + " (metadata 'config')") } catch let error as ConfigError {
            throw refuse(error.description)
        }
        guard saved.env == config.env, saved.task == config.task, saved.hiddenSizes == config.hiddenSizes,
              saved.criticHiddenSizes == config.criticHiddenSizes, saved.conditionOnReturn == config.conditionOnReturn else {
            throw refuse("it was trained on \(saved.env) task \(saved.task) (policy \(saved.hiddenSizes), critic \(saved.criticHiddenSizes), "
                         + "conditioned \(saved.conditionOnReturn)); this config is \(config.env) task \(config.task) (policy \(config.hiddenSizes), "
                         + "critic \(config.criticHiddenSizes), conditioned \(config.conditionOnReturn))")
        }
        guard let iteration = meta["iteration"].flatMap(Int.init), iteration >= 0 else { throw refuse("metadata 'iteration' is not a count") }
        let eta = (meta["batch_eta"] ?? "").split(separator: ",").compactMap { Float(String($0)) }
        guard eta.count == 2, eta.allSatisfy({ (0...1).contains($0) }) else { throw refuse("metadata 'batch_eta' is not two numbers in [0, 1]") }
        func tensors(_ prefix: String, like template: Parameters) throws -> Parameters {
            let restored = try template.names.map { name -> Tensor in
                let key = "\(prefix).\(name)"
                guard contents.tensors.names.contains(key) else { throw refuse("tensor \(key) is missing") }
                let tensor = contents.tensors[key]
                guard tensor.shape == template[name].shape else { throw refuse("tensor \(key) has shape \(tensor.shape), expected \(template[name].shape)") }
                return tensor
            }
            let p = Parameters(names: template.names, tensors: restored)
            guard p.isFinite else { throw refuse("tensors under \(prefix) contain NaN or infinity") }
            return p
        }
        let policy = try tensors("policy", like: learner.policyParameters)
        let critic = try tensors("critic", like: learner.criticParameters)
        let logits = try tensors("return", like: Parameters(names: ["logits"], tensors: [learner.returnLogits]))["logits"]
        var states: [String: (Int, Parameters, Parameters)] = [:]
        for (name, template) in [("policy", learner.policyParameters), ("critic", learner.criticParameters),
                                 ("eta", Parameters(names: ["eta"], tensors: [learner.returnLogits]))] {
            guard let steps = meta["adam_steps.\(name)"].flatMap(Int.init), steps >= 0 else { throw refuse("metadata 'adam_steps.\(name)' is not a count") }
            guard steps > 0 else { continue }
            states[name] = (steps, try tensors("adam.\(name).m", like: template), try tensors("adam.\(name).v", like: template))
        }
        learner.restore(policy: policy, critic: critic, returnLogits: logits, optimizers: states)
        return (iteration, eta)
    }
}
