import Foundation
import Config
import Envs

/// Every hyperparameter of a meta-RL experiment, with the paper's values as defaults
/// (Finn et al. 2017, §5.3 and Appendix A; TRPO settings as pytorch-maml-rl). A YAML file in
/// `envs/experiments/` lists the keys it changes.
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
    /// paper's test scripts (`PolicyGradientAdaptation.halvingSchedule`).
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
    /// CAVIA only: size of the context φ fed to the policy's first layer beside the observation,
    /// and the step size of its inner update (Zintgraf et al. 2019 used 5 and 0.5 for navigation,
    /// 50 and 10 for half-cheetah direction).
    public var contextSize = 5
    public var contextStepSize: Float = 0.5
    /// RL² only: GRU state size and episodes per trial (Duan et al. 2016 used 2 episodes for
    /// their locomotion and navigation-like tasks).
    public var recurrentHiddenSize = 64
    public var episodesPerTrial = 2
    /// Every this many iterations, TensorBoard gets an image of a rollout of the policy adapted to
    /// a fixed task (0: none).
    public var imageEvery = 10
    /// Seed of task draws, sampling and initialisation.
    public var seed: UInt64 = 1
    /// Worker threads for sampling and per-task work.
    public var threads = 2
    /// Physics step, frame-skip, solver iterations, horizon.
    public var envConfig = EnvConfig()

    public static let defaults = MetaRLConfig()
    public init() {}

    /// A meta-RL config must name its env: a missing one is an error, not a default.
    public static var requiredKeys: [String] { ["kind", "env"] }

    public func validate() throws {
        guard kind == "meta-rl" else { throw ConfigError.invalid(key: "kind", "must be meta-rl") }
        guard EnvRegistry.names.contains(env) else {
            throw ConfigError.invalid(key: "env", "unknown env '\(env)'; known: \(EnvRegistry.names.joined(separator: ", "))")
        }
        try ConfigError.check("hiddenSizes", hiddenSizes.count, in: 1...16, "number of hidden layers")
        try ConfigError.check("hiddenSizes", hiddenSizes, in: 1...4096)
        try ConfigError.check("initialLogStd", initialLogStd, in: -10...5, "log σ; σ from 4.5e-5 to 148")
        try ConfigError.check("episodesPerTask", episodesPerTask, in: 1...10_000)
        try ConfigError.check("metaBatchSize", metaBatchSize, in: 1...10_000)
        try ConfigError.check("innerSteps", innerSteps, in: 0...20)
        try ConfigError.checkPositive("innerStepSize", innerStepSize, atMost: 100)
        try ConfigError.check("gamma", gamma, in: 0...1)
        try ConfigError.check("gaeLambda", gaeLambda, in: 0...1)
        try ConfigError.checkPositive("trpo.maxKL", trpo.maxKL, atMost: 10)
        try ConfigError.check("trpo.cgIterations", trpo.cgIterations, in: 1...1000)
        try ConfigError.check("trpo.cgDamping", trpo.cgDamping, in: 0...1000)
        try ConfigError.check("trpo.lineSearchRatio", trpo.lineSearchRatio, in: 0.01...0.99)
        try ConfigError.check("trpo.lineSearchSteps", trpo.lineSearchSteps, in: 1...1000)
        try ConfigError.check("iterations", iterations, in: 1...10_000_000)
        try ConfigError.check("checkpointEvery", checkpointEvery, in: 1...10_000_000)
        try ConfigError.check("imageEvery", imageEvery, in: 0...10_000_000)
        try ConfigError.check("contextSize", contextSize, in: 1...1024)
        try ConfigError.checkPositive("contextStepSize", contextStepSize, atMost: 1000)
        try ConfigError.check("recurrentHiddenSize", recurrentHiddenSize, in: 1...1024)
        try ConfigError.check("episodesPerTrial", episodesPerTrial, in: 1...100)
        try ConfigError.check("threads", threads, in: 1...256)
        try envConfig.check(prefix: "envConfig")
        try checkMemory()
    }

    /// Refuses batch sizes whose meta-iteration would not fit in this machine's memory, with the
    /// figure, before any of it is allocated.
    func checkMemory() throws {
        let probe: any Env
        do { probe = try EnvRegistry.spec(env).make(config: envConfig) } catch {
            throw ConfigError.invalid(key: "env", "cannot build \(env): \(error)")
        }
        // Batches per task: MAML's one per adaptation step and the last, RL²'s episodes of a trial.
        let batches = max(innerSteps + 1, episodesPerTrial)
        let rows = Double(metaBatchSize) * Double(batches) * Double(episodesPerTask) * Double(probe.horizon)
        // Per row: the sampled step (observation, action, reward, mask, log-probability,
        // advantage), the meta-update's tapes (input, activations, their gradients, R-values) and
        // RL²'s recurrent graph (its gates, their gradients and second-order terms).
        let perRow = 4 * Double(2 * probe.observationSpace.count + 2 * probe.actionSpace.count + 4 + 5 * hiddenSizes.reduce(0, +)
                                + 20 * recurrentHiddenSize)
        let bytes = rows * perRow, available = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes < 0.8 * available else {
            throw ConfigError.invalid(key: "metaBatchSize", String(format:
                "a meta-iteration would hold about %.1f GB (metaBatchSize × max(innerSteps + 1, episodesPerTrial) × episodesPerTask × horizon = %.3g steps); this machine has %.1f GB",
                bytes / 1e9, rows, available / 1e9))
        }
    }

    /// The policy this config describes, for an env of the given sizes; with `context`, CAVIA's
    /// (the observation and a context of `contextSize` in).
    public func policy(observationSize: Int, actionSize: Int, context: Bool = false) -> GaussianMLPPolicy {
        GaussianMLPPolicy(observationSize: observationSize, actionSize: actionSize, hiddenSizes: hiddenSizes, activation: activation,
                          contextSize: context ? contextSize : 0)
    }

    /// The first inner step size `policy` was trained with: CAVIA's on its context, MAML's on θ.
    public func innerStepSize(of policy: GaussianMLPPolicy) -> Float {
        policy.contextSize > 0 ? contextStepSize : innerStepSize
    }
}

extension EnvConfig {
    /// Range checks of every env and physics key, named under `prefix`.
    func check(prefix: String) throws {
        try ConfigError.check("\(prefix).physics.gravity", physics.gravity, in: -1000...1000, "m/s²")
        try ConfigError.checkPositive("\(prefix).physics.timeStep", physics.timeStep, atMost: 0.1)
        try ConfigError.check("\(prefix).physics.frameSkip", physics.frameSkip, in: 1...1000)
        try ConfigError.check("\(prefix).physics.velocityIterations", physics.velocityIterations, in: 1...1000)
        try ConfigError.check("\(prefix).physics.positionIterations", physics.positionIterations, in: 0...1000)
        if let horizon { try ConfigError.check("\(prefix).horizon", horizon, in: 1...100_000) }
        try ConfigError.check("\(prefix).resetNoise", resetNoise, in: 0...10)
        if let directory = envsDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ConfigError.invalid(key: "\(prefix).envsDirectory", "\(directory) is not a folder")
            }
        }
    }
}

extension MetaRLConfig {
    /// The seed of training iteration i: a SplitMix-style hash of (seed, i), independent of any
    /// state, so a resumed run draws what an uninterrupted one would (MAML and RL² alike).
    public func seed(ofIteration i: Int) -> UInt64 { Xoshiro256.seed(seed, iteration: i) }
}
