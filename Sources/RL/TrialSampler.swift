import Cluster
import Envs
import Parallel

/// RL²'s trials (Duan et al. 2016): for one task, K trials side by side, each `episodesPerTrial`
/// episodes in a row in the same env, the policy's GRU state kept across a trial's episodes and
/// started from zero for every task. Every episode of a trial starts with the same reset noise
/// stream for all K copies stepping in lockstep (one batched GRU step per time step); a copy whose
/// episode ended before the others' waits, masked, its state intact.
public final class TrialSampler: @unchecked Sendable {
    public let envName: String
    public let policy: GaussianGRUPolicy
    public let trialsPerTask: Int
    public let episodesPerTrial: Int
    public let workers: Int
    private let pools: [VectorEnv]

    public init(envName: String, envConfig: EnvConfig = EnvConfig(), policy: GaussianGRUPolicy,
                trialsPerTask: Int, episodesPerTrial: Int, workers: Int = 2) throws {
        self.envName = envName
        self.policy = policy
        self.trialsPerTask = trialsPerTask
        self.episodesPerTrial = episodesPerTrial
        self.workers = max(1, workers)
        pools = try (0..<self.workers).map { _ in try VectorEnv(name: envName, count: trialsPerTask, config: envConfig) }
        let env = pools[0].envs[0]
        require(env.observationSpace.count == policy.observationSize && env.actionSpace.count == policy.actionSize,
                "TrialSampler: \(envName) has \(env.observationSpace.count) observations and \(env.actionSpace.count) actions, "
                + "the policy \(policy.observationSize) and \(policy.actionSize)")
    }

    /// K trials of `task` with actions drawn from π(·|history; parameters); `worker` picks the env
    /// copies (one thread per worker).
    public func sample(task: Task, parameters: Parameters, seed: UInt64, worker: Int = 0) throws -> Trials {
        let envs = pools[worker]
        let (k, actSize) = (trialsPerTask, policy.actionSize)
        let parameters = parameters.detached()
        let std = parameters[GaussianGRUPolicy.logStdName].exp().scalars
        var rng = Xoshiro256(seed: seed)
        try envs.setTasks([task])
        var state = policy.initialState(rows: k)
        var previousAction = [Float](repeating: 0, count: k * actSize)
        var previousReward = [Float](repeating: 0, count: k)
        var previousDone = [Bool](repeating: false, count: k)
        var inputs: [Tensor] = [], masks: [Tensor] = [], actions: [Float] = [], rewards: [Float] = [], episodeOfStep: [Int] = []
        for episode in 0..<episodesPerTrial {
            let observations = envs.reset(seeds: (0..<k).map { _ in rng.next() })
            var observation = observations
            var steps = 0
            while steps < envs.envs[0].horizon && !envs.allDone {
                let active = envs.done.map { $0 ? Float(0) : 1 }
                var rows: [Float] = []
                rows.reserveCapacity(k * policy.inputSize)
                for i in 0..<k {
                    let obs = Array(observation[i * policy.observationSize..<(i + 1) * policy.observationSize])
                    let last = Array(previousAction[i * actSize..<(i + 1) * actSize])
                    rows += policy.input(observation: obs, previousAction: last, previousReward: previousReward[i], previousDone: previousDone[i])
                }
                let input = Tensor(shape: [k, policy.inputSize], scalars: rows), mask = Tensor(shape: [k, 1], scalars: active)
                let (next, means) = policy.step(state: state, inputs: input, mask: mask, parameters)
                state = next
                var action = means.scalars
                for i in 0..<action.count { action[i] += std[i % actSize] * Float(rng.normal()) }
                try envs.step(action)
                inputs.append(input)
                masks.append(mask)
                actions += action
                rewards += envs.rewards.map(Float.init)
                episodeOfStep.append(episode)
                observation = envs.observations
                for i in 0..<k where active[i] == 1 {
                    for j in 0..<actSize { previousAction[i * actSize + j] = action[i * actSize + j] }
                    previousReward[i] = Float(envs.rewards[i])
                    previousDone[i] = false
                }
                steps += 1
            }
            // The next episode's first input says the previous step ended an episode.
            previousDone = [Bool](repeating: true, count: k)
        }
        let actionTensor = Tensor(shape: [inputs.count * k, actSize], scalars: actions)
        let logProbabilities = withoutGradients { policy.logProbability(inputs: inputs, masks: masks, actions: actionTensor, parameters) }
        return Trials(task: task, count: k, inputs: inputs, masks: masks, actions: actionTensor, rewards: rewards,
                      episodeOfStep: episodeOfStep, episodesPerTrial: episodesPerTrial, logProbabilities: logProbabilities)
    }
}

/// K trials of one task, step-major like `Episodes` (row t·K + k is trial k at step t of the
/// trial's concatenated episodes), with each step's GRU input and mask.
public struct Trials: Sendable {
    public let task: Task
    public let count: Int
    /// Per step: the inputs [K, inputSize] and the masks [K, 1] (0 where a trial's episode had ended).
    public let inputs: [Tensor]
    public let masks: [Tensor]
    public let actions: Tensor
    public let rewards: [Float]
    /// The episode of the trial each step belongs to.
    public let episodeOfStep: [Int]
    public let episodesPerTrial: Int
    /// log π(a|history) of the acting policy, per row.
    public let logProbabilities: Tensor

    public var length: Int { inputs.count }

    /// Undiscounted return of each trial's e-th episode: [episode][trial].
    public var episodeReturns: [[Double]] {
        var returns = [[Double]](repeating: [Double](repeating: 0, count: count), count: episodesPerTrial)
        for t in 0..<length {
            let mask = masks[t].scalars
            for k in 0..<count { returns[episodeOfStep[t]][k] += Double(rewards[t * count + k] * mask[k]) }
        }
        return returns
    }

    /// The mean return in the 1st, 2nd, … episode of a trial: what RL² is compared on.
    public var meanReturnPerEpisode: [Double] { episodeReturns.map { $0.reduce(0, +) / Double(max(count, 1)) } }
}

extension RecurrentPolicyCheckpoint {
    /// RL²'s meta-test: on the held-out tasks `evaluateAdaptation` uses for MAML (same seed, same
    /// tasks, same per-task seeds), K = `settings.episodesPerTask` trials per task; the curve's
    /// column e is the mean return in the trial's (e+1)-th episode — the experience RL² adapts on.
    /// Under MPI the tasks are shared among the ranks, and every rank gets the whole curve.
    public func evaluateTrials(settings: EvaluationSettings, cluster: Cluster = .world,
                               onTaskDone: @Sendable () -> Void = {}) throws -> (AdaptationCurve, [Task]) {
        let sampler = try TrialSampler(envName: env, envConfig: config.envConfig, policy: policy, trialsPerTask: settings.episodesPerTask,
                                       episodesPerTrial: config.episodesPerTrial, workers: settings.workers)
        var rng = Xoshiro256(seed: settings.seed)
        let tasks = try EnvRegistry.spec(env).tasks.sample(settings.taskCount, using: &rng)
        let seeds = tasks.map { _ in rng.next() }
        let perTask = try cluster.parallelMap(tasks.count, workers: settings.workers, length: config.episodesPerTrial) { i, worker in
            defer { onTaskDone() }
            return try sampler.sample(task: tasks[i], parameters: parameters, seed: seeds[i], worker: worker).meanReturnPerEpisode
        }
        return (AdaptationCurve(perTask: perTask), tasks)
    }
}
