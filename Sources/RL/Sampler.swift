import Envs
import Dispatch
import Synchronization

/// Samples batches of K episodes: for one task and one parameter set, K copies of the env step in
/// lockstep and the policy's forward pass is batched over them (one matrix product per layer per
/// time step). Each worker owns its own copies, so tasks of a meta-batch run on all cores
/// (`parallelMap`), and every batch depends only on its seed, never on which worker ran it.
public final class Sampler: @unchecked Sendable {
    public let envName: String
    public let policy: GaussianMLPPolicy
    public let episodesPerTask: Int
    public let workers: Int
    private let pools: [VectorEnv]
    /// Each worker's tape for the policy's means (a forward pass per step without allocating).
    private let tapes: [MLPTape]
    /// Each worker's rows of observation and context, for a policy with a context.
    private let inputs: [UnsafeMutableBufferPointer<Float>]

    public init(envName: String, envConfig: EnvConfig = EnvConfig(), policy: GaussianMLPPolicy,
                episodesPerTask: Int, workers: Int = 2) throws {
        self.envName = envName
        self.policy = policy
        self.episodesPerTask = episodesPerTask
        self.workers = max(1, workers)
        pools = try (0..<self.workers).map { _ in try VectorEnv(name: envName, count: episodesPerTask, config: envConfig) }
        tapes = (0..<self.workers).map { _ in MLPTape(mlp: policy.mean) }
        inputs = (0..<(policy.contextSize > 0 ? self.workers : 0)).map { _ in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: episodesPerTask * policy.mean.inputSize)
            buffer.initialize(repeating: 0)
            return buffer
        }
        let env = pools[0].envs[0]
        require(env.observationSpace.count == policy.observationSize && env.actionSpace.count == policy.actionSize,
                "Sampler: \(envName) has \(env.observationSpace.count) observations and \(env.actionSpace.count) actions, "
                + "the policy \(policy.observationSize) and \(policy.actionSize)")
    }

    deinit { inputs.forEach { $0.deallocate() } }

    public var horizon: Int { pools[0].envs[0].horizon }

    /// K episodes of `task` with actions drawn from π(·|s; parameters). `worker` picks the env
    /// copies to use; call it from one thread per worker (as `parallelMap` does).
    public func sample(task: Task, parameters: Parameters, seed: UInt64, worker: Int = 0) throws -> Episodes {
        let envs = pools[worker]
        let (k, obsSize, actSize) = (episodesPerTask, policy.observationSize, policy.actionSize)
        let parameters = policy.withContext(parameters.detached())
        let theta = parameters.flattened().scalars
        let context = policy.contextSize > 0 ? parameters[Context.name].scalars : []
        let std = parameters[GaussianMLPPolicy.logStdName].exp().scalars
        let tape = tapes[worker]
        var rng = Xoshiro256(seed: seed)
        try envs.setTasks([task])
        envs.reset(seeds: (0..<k).map { _ in rng.next() })

        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], masks: [Float] = []
        observations.reserveCapacity(horizon * k * obsSize)
        actions.reserveCapacity(horizon * k * actSize)
        rewards.reserveCapacity(horizon * k)
        masks.reserveCapacity(horizon * k)
        var action = [Float](repeating: 0, count: k * actSize)
        var length = 0
        while length < horizon && !envs.allDone {
            // a = μ_θ(s) + σ·ε, one batched forward pass over the K copies.
            theta.withUnsafeBufferPointer { t in
                envs.withObservations { obs in
                    observations.append(contentsOf: obs)
                    tape.forward(t.baseAddress!, input: withContext(obs, context, worker: worker), rows: k)
                }
            }
            let mu = tape.outputs
            for i in 0..<action.count { action[i] = mu[i] + std[i % actSize] * Float(rng.normal()) }
            masks += envs.done.map { $0 ? Float(0) : 1 }
            try envs.step(action)
            actions += action
            rewards += envs.rewards.map(Float.init)
            length += 1
        }
        let obsTensor = Tensor(shape: [length * k, obsSize], scalars: observations)
        let actTensor = Tensor(shape: [length * k, actSize], scalars: actions)
        let logProbabilities = withoutGradients {
            policy.logProbability(observations: obsTensor, actions: actTensor, parameters)
        }
        return Episodes(task: task, count: k, length: length, observations: obsTensor, actions: actTensor,
                        rewards: rewards, masks: masks, logProbabilities: logProbabilities)
    }
}

extension Sampler {
    /// The MLP's input rows: the observations themselves, or each with the context appended.
    private func withContext(_ observations: UnsafeBufferPointer<Float>, _ context: [Float], worker: Int) -> UnsafePointer<Float> {
        guard !context.isEmpty else { return observations.baseAddress! }
        let input = inputs[worker], obsSize = policy.observationSize, width = obsSize + context.count
        for row in 0..<episodesPerTask {
            for j in 0..<obsSize { input[row * width + j] = observations[row * obsSize + j] }
            for j in context.indices { input[row * width + obsSize + j] = context[j] }
        }
        return UnsafePointer(input.baseAddress!)
    }
}
