import Envs

/// One episode acting with the policy's mean action μ(s) (no exploration noise): what a trained
/// policy does when shown, rendered or summarised.
public struct GreedyEpisode: Sendable {
    public var totalReward = 0.0
    public var steps = 0
    /// Mean of the env's forward velocity over the episode (locomotion).
    public var meanForwardVelocity = 0.0
    /// Distance to the goal at the end (navigation and goal-x tasks).
    public var finalDistance = 0.0
    /// The observations from the reset to the end.
    public var observations: [[Float]] = []

    /// Runs the checkpoint's env on `task` from `reset(seed:)` to the episode's end, acting with
    /// the mean action at `parameters`; `observe` sees the env after the reset and after every
    /// step (for rendering and trajectories).
    public init(_ checkpoint: PolicyCheckpoint, parameters: Parameters, task: Task, seed: UInt64,
                observe: (any Env) throws -> Void = { _ in }) throws {
        let env = try checkpoint.makeEnvironment(task: task)
        var observation = env.reset(seed: seed).observation
        observations.append(observation)
        try observe(env)
        var velocity = 0.0
        while true {
            let result = try env.step(checkpoint.meanAction(observation, at: parameters))
            try observe(env)
            totalReward += result.reward
            steps += 1
            velocity += result.info.forwardVelocity
            finalDistance = result.info.distance
            observation = result.observation
            observations.append(observation)
            if result.terminated || result.truncated { break }
        }
        meanForwardVelocity = velocity / Double(max(steps, 1))
    }
}

extension TaskRollout {
    /// The mean-action episode at θ and after every adaptation step, on this rollout's task (the
    /// paths of the paper's Figure 4).
    public func greedyEpisodes(_ checkpoint: PolicyCheckpoint, seed: UInt64 = 0) throws -> [GreedyEpisode] {
        try parameters.map { try GreedyEpisode(checkpoint, parameters: $0, task: task, seed: seed) }
    }
}
