import Config
import Envs

/// Every hyperparameter of a meta-RL experiment, with the paper's values as defaults
/// (Finn et al. 2017, §5.3 and Appendix A; TRPO settings as pytorch-maml-rl). A YAML file in
/// `envs/` lists the keys it changes.
public struct MetaRLConfig: ConfigFile, Equatable {
    /// Always `meta-rl` (the CLI dispatches on it).
    public var kind = "meta-rl"
    /// Env family from the registry, e.g. `navigation-2d`, `half-cheetah-vel`.
    public var env = "half-cheetah-vel"
    /// Hidden layer sizes of the Gaussian MLP policy (paper: two layers of 100).
    public var hiddenSizes = [100, 100]
    /// Hidden activation: relu, tanh or silu (paper: relu).
    public var activation = Activation.relu
    /// Initial log σ of the Gaussian policy (paper: 0, σ = 1 in actions of range [−1, 1]).
    public var initialLogStd: Float = 0
    /// Episodes per task per adaptation step, K (paper: 20).
    public var episodesPerTask = 20
    /// Tasks per meta-batch (paper: 40 for locomotion, 20 for navigation).
    public var metaBatchSize = 40
    /// Adaptation steps during meta-training (paper: 1).
    public var innerSteps = 1
    /// Inner step size α of the first adaptation step (paper: 0.1); later steps take α/2, as the
    /// paper's test scripts (`InnerLoop.halvingSchedule`).
    public var innerStepSize: Float = 0.1
    /// First-order MAML: no gradient through the inner step.
    public var firstOrder = false
    /// Discount γ and GAE λ (pytorch-maml-rl: 0.99 and 1.0).
    public var gamma: Float = 0.99
    public var gaeLambda: Float = 1.0
    /// TRPO meta-update.
    public var trpo = TRPOSettings()
    /// Meta-iterations (paper: up to 500 for locomotion, 100 for navigation).
    public var iterations = 500
    /// Write a checkpoint every this many iterations (and at the end).
    public var checkpointEvery = 10
    /// Seed of task draws, sampling and initialisation.
    public var seed: UInt64 = 1
    /// Worker threads for sampling and per-task work.
    public var threads = 2
    /// Physics step, frame-skip, solver iterations, horizon.
    public var envConfig = EnvConfig()

    public static let defaults = MetaRLConfig()
    public init() {}

    public func validate() throws {
        guard EnvRegistry.names.contains(env) else {
            throw ConfigError.invalid(key: "env", "unknown env '\(env)'; known: \(EnvRegistry.names.joined(separator: ", "))")
        }
        guard kind == "meta-rl" else { throw ConfigError.invalid(key: "kind", "must be meta-rl") }
        guard !hiddenSizes.isEmpty, hiddenSizes.allSatisfy({ $0 > 0 }) else { throw ConfigError.invalid(key: "hiddenSizes", "needs positive sizes") }
        guard initialLogStd.isFinite else { throw ConfigError.invalid(key: "initialLogStd", "must be finite") }
        guard episodesPerTask > 0 else { throw ConfigError.invalid(key: "episodesPerTask", "must be positive") }
        guard metaBatchSize > 0 else { throw ConfigError.invalid(key: "metaBatchSize", "must be positive") }
        guard innerSteps >= 0 else { throw ConfigError.invalid(key: "innerSteps", "must be ≥ 0") }
        guard innerStepSize > 0, innerStepSize.isFinite else { throw ConfigError.invalid(key: "innerStepSize", "must be positive") }
        guard (0...1).contains(gamma) else { throw ConfigError.invalid(key: "gamma", "must be in [0, 1]") }
        guard (0...1).contains(gaeLambda) else { throw ConfigError.invalid(key: "gaeLambda", "must be in [0, 1]") }
        guard trpo.maxKL > 0 else { throw ConfigError.invalid(key: "trpo.maxKL", "must be positive") }
        guard trpo.cgIterations > 0 else { throw ConfigError.invalid(key: "trpo.cgIterations", "must be positive") }
        guard trpo.lineSearchRatio > 0 && trpo.lineSearchRatio < 1 else { throw ConfigError.invalid(key: "trpo.lineSearchRatio", "must be in (0, 1)") }
        guard trpo.lineSearchSteps > 0 else { throw ConfigError.invalid(key: "trpo.lineSearchSteps", "must be positive") }
        guard iterations >= 0 else { throw ConfigError.invalid(key: "iterations", "must be ≥ 0") }
        guard checkpointEvery > 0 else { throw ConfigError.invalid(key: "checkpointEvery", "must be positive") }
        guard threads > 0 else { throw ConfigError.invalid(key: "threads", "must be positive") }
    }

    /// The policy this config describes, for an env of the given sizes.
    public func policy(observationSize: Int, actionSize: Int) -> GaussianMLPPolicy {
        GaussianMLPPolicy(observationSize: observationSize, actionSize: actionSize, hiddenSizes: hiddenSizes, activation: activation)
    }
}
