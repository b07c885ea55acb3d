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

    /// Runs `env` (task already set) from `reset(seed:)` to the episode's end; `observe` sees the
    /// env after the reset and after every step (for rendering).
    public init(env: any Env, policy: GaussianMLPPolicy, parameters: Parameters, seed: UInt64,
                observe: (any Env) throws -> Void = { _ in }) throws {
        var observation = env.reset(seed: seed).observation
        try observe(env)
        var velocity = 0.0
        while true {
            let action = withoutGradients {
                policy.means(Tensor(shape: [1, observation.count], scalars: observation), parameters).scalars
            }
            let result = try env.step(action)
            try observe(env)
            totalReward += result.reward
            steps += 1
            velocity += result.info.forwardVelocity
            finalDistance = result.info.distance
            observation = result.observation
            if result.terminated || result.truncated { break }
        }
        meanForwardVelocity = velocity / Double(max(steps, 1))
    }
}
