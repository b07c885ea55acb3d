import Config
import Envs
import Foundation

/// Every hyperparameter of a meta-gradient RL run (Xu, van Hasselt & Silver 2018): one task, an
/// actor-critic learner whose return's discount γ and bootstrapping λ are learned online by
/// differentiating its own update. A YAML file in `envs/experiments/` lists the keys it changes.
public struct MetaGradientConfig: ConfigFile, Equatable {
    /// Always `meta-gradient-rl` (the CLI dispatches on it).
    public var kind = "meta-gradient-rl"
    /// Env family from the registry and the one task it is trained on, as `--task` writes it
    /// (half-cheetah-dir "1": running forward).
    public var env = "half-cheetah-dir"
    public var task = "1"
    /// Hidden layers of the Gaussian policy (ReLU, as MAML's) and of the critic v(s) (tanh).
    public var hiddenSizes = [100, 100]
    public var criticHiddenSizes = [64, 64]
    /// Initial log σ of the policy.
    public var initialLogStd: Float = 0
    /// Episodes sampled per update (split over the worker threads).
    public var episodesPerIteration = 10
    public var iterations = 500
    /// Adam's step size for the policy and the critic.
    public var learningRate: Float = 1e-3
    /// Weight of the critic's squared error (G^η − v)² in the agent's loss.
    public var valueCoefficient: Float = 0.5
    /// η at the start (and throughout when `learnReturn` is false).
    public var gamma: Float = 0.99
    public var lambda: Float = 0.95
    /// Learn η by meta-gradient (false: the same learner at fixed γ and λ, the comparison).
    public var learnReturn = true
    /// Adam's step size for η's logits.
    public var metaLearningRate: Float = 0.01
    /// The fixed reference η̄ of the meta-objective's return (the paper's γ̄ = 0.995, λ̄ = 1 for
    /// Atari; 0.99 here, the discount every other learner in Adapt uses).
    public var referenceGamma: Float = 0.99
    public var referenceLambda: Float = 1
    /// Feed (γ, λ) to the policy and the critic beside the observation, as the paper does, so
    /// that their outputs can follow a changing η.
    public var conditionOnReturn = true
    public var checkpointEvery = 10
    public var seed: UInt64 = 1
    public var threads = 2
    public var envConfig = EnvConfig()

    public static let defaults = MetaGradientConfig()
    public init() {}

    public static var requiredKeys: [String] { ["kind", "env", "task"] }

    public func validate() throws {
        guard kind == "meta-gradient-rl" else { throw ConfigError.invalid(key: "kind", "must be meta-gradient-rl") }
        guard EnvRegistry.names.contains(env) else {
            throw ConfigError.invalid(key: "env", "unknown env '\(env)'; known: \(EnvRegistry.names.joined(separator: ", "))")
        }
        do { _ = try trainingTask() } catch { throw ConfigError.invalid(key: "task", "\(error)") }
        try ConfigError.check("hiddenSizes", hiddenSizes.count, in: 1...16, "number of hidden layers")
        try ConfigError.check("hiddenSizes", hiddenSizes, in: 1...4096)
        try ConfigError.check("criticHiddenSizes", criticHiddenSizes.count, in: 1...16, "number of hidden layers")
        try ConfigError.check("criticHiddenSizes", criticHiddenSizes, in: 1...4096)
        try ConfigError.check("initialLogStd", initialLogStd, in: -10...5, "log σ")
        try ConfigError.check("episodesPerIteration", episodesPerIteration, in: 1...10_000)
        try ConfigError.check("iterations", iterations, in: 1...10_000_000)
        try ConfigError.checkPositive("learningRate", learningRate, atMost: 10)
        try ConfigError.check("valueCoefficient", valueCoefficient, in: 0...100)
        for (key, value) in [("gamma", gamma), ("lambda", lambda), ("referenceGamma", referenceGamma), ("referenceLambda", referenceLambda)] {
            try ConfigError.check(key, value, in: 0...1)
        }
        if learnReturn {
            // Learned η lives in (0, 1) as the sigmoid of a logit: its start must be inside.
            try ConfigError.check("gamma", gamma, in: 1e-4...(1 - 1e-4), "learned γ starts strictly inside (0, 1)")
            try ConfigError.check("lambda", lambda, in: 1e-4...(1 - 1e-4), "learned λ starts strictly inside (0, 1)")
        }
        try ConfigError.checkPositive("metaLearningRate", metaLearningRate, atMost: 10)
        try ConfigError.check("checkpointEvery", checkpointEvery, in: 1...10_000_000)
        try ConfigError.check("threads", threads, in: 1...256)
        try envConfig.check(prefix: "envConfig")
    }

    /// The task the run trains on.
    public func trainingTask() throws -> Task {
        try Task(kind: EnvRegistry.spec(env).tasks.kind, parsing: task)
    }

    /// The seed of iteration i's batch, from the seed and i alone (as meta-RL's).
    public func seed(ofIteration i: Int) -> UInt64 { Xoshiro256.seed(seed, iteration: i) }
}
