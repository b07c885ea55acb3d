import Envs

/// A batch of K episodes of one task, sampled with one parameter set, stored time-major:
/// row `t·K + k` holds step t of episode k. Steps after an episode ended are padding, with mask 0.
public struct Episodes: Sendable {
    public let task: Task
    /// Episodes in the batch (K).
    public let count: Int
    /// Time steps stored (the longest episode's length).
    public let length: Int
    /// [length·K, observationSize]
    public let observations: Tensor
    /// [length·K, actionSize], as sampled (before the env's clipping).
    public let actions: Tensor
    /// [length·K]
    public let rewards: [Float]
    /// [length·K], 1 for real steps, 0 for padding after the episode ended.
    public let masks: [Float]
    /// log π(a|s) under the parameters that sampled the batch, [length·K]; the importance
    /// weights of the meta-update's surrogate divide by these.
    public let logProbabilities: Tensor

    public init(task: Task, count: Int, length: Int, observations: Tensor, actions: Tensor,
                rewards: [Float], masks: [Float], logProbabilities: Tensor) {
        require(observations.shape[0] == count * length && actions.shape[0] == count * length
                && rewards.count == count * length && masks.count == count * length,
                "Episodes: \(count) episodes × \(length) steps do not match the data's rows")
        self.task = task
        self.count = count
        self.length = length
        self.observations = observations
        self.actions = actions
        self.rewards = rewards
        self.masks = masks
        self.logProbabilities = logProbabilities
    }

    /// The number of real (unpadded) steps.
    public var stepCount: Int { Int(masks.reduce(0, +)) }

    /// Undiscounted return of each episode.
    public var episodeReturns: [Double] {
        (0..<count).map { k in (0..<length).reduce(0.0) { $0 + Double(rewards[$1 * count + k] * masks[$1 * count + k]) } }
    }

    /// The mean undiscounted return per episode (the paper's "average return").
    public var meanReturn: Double { episodeReturns.reduce(0, +) / Double(max(count, 1)) }

    /// Discounted returns-to-go Σ_{t'≥t} γ^{t'−t} r_{t'}, row-aligned with the data.
    public func discountedReturns(gamma: Float) -> [Float] {
        var out = [Float](repeating: 0, count: rewards.count)
        for k in 0..<count {
            var running: Float = 0
            for t in stride(from: length - 1, through: 0, by: -1) {
                let i = t * count + k
                running = (rewards[i] + gamma * running) * masks[i]
                out[i] = running
            }
        }
        return out
    }
}
