import Envs
import Dispatch

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

    public init(envName: String, envConfig: EnvConfig = EnvConfig(), policy: GaussianMLPPolicy,
                episodesPerTask: Int, workers: Int = 2) throws {
        self.envName = envName
        self.policy = policy
        self.episodesPerTask = episodesPerTask
        self.workers = max(1, workers)
        pools = try (0..<self.workers).map { _ in try VectorEnv(name: envName, count: episodesPerTask, config: envConfig) }
        let env = pools[0].envs[0]
        require(env.observationSpace.count == policy.observationSize && env.actionSpace.count == policy.actionSize,
                "Sampler: \(envName) has \(env.observationSpace.count) observations and \(env.actionSpace.count) actions, "
                + "the policy \(policy.observationSize) and \(policy.actionSize)")
    }

    public var horizon: Int { pools[0].envs[0].horizon }

    /// K episodes of `task` with actions drawn from π(·|s; parameters). `worker` picks the env
    /// copies to use; call it from one thread per worker (as `parallelMap` does).
    public func sample(task: Task, parameters: Parameters, seed: UInt64, worker: Int = 0) throws -> Episodes {
        let envs = pools[worker]
        let (k, obsSize, actSize) = (episodesPerTask, policy.observationSize, policy.actionSize)
        let parameters = parameters.detached()
        var rng = Xoshiro256(seed: seed)
        try envs.setTasks([task])
        envs.reset(seeds: (0..<k).map { _ in rng.next() })

        var observations: [Float] = [], actions: [Float] = [], rewards: [Float] = [], masks: [Float] = []
        observations.reserveCapacity(horizon * k * obsSize)
        actions.reserveCapacity(horizon * k * actSize)
        var length = 0
        while length < horizon && !envs.allDone {
            let alive = envs.done.map { $0 ? Float(0) : 1 }
            let obs = Tensor(shape: [k, obsSize], scalars: envs.observations)
            let action = policy.sampleActions(observations: obs, parameters, using: &rng)
            try envs.step(action.scalars)
            observations += obs.scalars
            actions += action.scalars
            rewards += envs.rewards.map(Float.init)
            masks += alive
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

/// `body(i, worker)` for i in 0..<count, spread over `workers` threads with a fixed assignment
/// (i ↦ i mod workers), results in index order. Work items must not depend on the assignment.
public func parallelMap<T>(_ count: Int, workers: Int, _ body: (Int, Int) throws -> T) rethrows -> [T] {
    let workers = max(1, min(workers, count))
    if workers == 1 { return try (0..<count).map { try body($0, 0) } }
    var results = [Result<T, Error>?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { slots in
        let output = UnsafeSendable(slots)
        withoutActuallyEscaping(body) { body in
            let work = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: count, by: workers) {
                    output.value[i] = Result { try work.value(i, w) }
                }
            }
        }
    }
    return try results.map { try $0!.get() }
}

struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
