import Config
import Foundation

/// Every hyperparameter of a learned-optimizer experiment (Andrychowicz et al. 2016). Defaults are
/// the paper's where it gives them; a YAML file in `envs/experiments/` lists the keys it changes.
/// One config kind for both optimizee families: `problem` picks quadratics or the MNIST-style MLP.
public struct LearnedOptimizerConfig: ConfigFile, Equatable {
    public enum Problem: String, Codable, Sendable, CaseIterable {
        /// f(θ) = ‖Wθ − y‖², W 10×10 and y standard normal (§3.1).
        case quadratic
        /// A one-hidden-layer sigmoid MLP on Fashion-MNIST mini-batches (§3.2, there MNIST).
        case mnist
    }

    /// Always `learned-optimizer` (the CLI dispatches on it).
    public var kind = "learned-optimizer"
    public var problem = Problem.quadratic
    /// Seed of meta-training (optimizer initialisation and the training problems).
    public var seed: UInt64 = 1

    // MARK: The optimizer m (§2.1, §3)
    /// Hidden units per LSTM layer (20 in the paper).
    public var hiddenSize = 20
    /// Stacked LSTM layers (2 in the paper).
    public var layers = 2
    /// Scale of the LSTM's linear output (0.1 in the paper).
    public var outputScale: Float = 0.1
    /// p of the gradient preprocessing (Appendix A: 10).
    public var preprocessingP: Float = 10

    // MARK: Meta-training (§3)
    /// Meta-training trajectories (each `unrollSteps` optimizee steps from a fresh problem).
    public var iterations = 2000
    /// Optimizee steps per trajectory, the training horizon (100 in the paper).
    public var unrollSteps = 100
    /// Truncated backpropagation through time: Adam updates the optimizer after every window of
    /// this many steps, the trajectory carrying on from where the window ended (20 in the paper).
    public var truncation = 20
    /// Adam's step size on the optimizer's weights.
    public var metaLearningRate: Float = 0.001
    /// Write checkpoint.safetensors every this many trajectories (and at the end).
    public var checkpointEvery = 100

    // MARK: Optimizee families
    public var quadratic = QuadraticSettings()
    public var mnist = MNISTSettings()

    // MARK: Held-out comparison
    public var evaluation = EvaluationSettings()

    public struct QuadraticSettings: Codable, Equatable, Sendable {
        /// d: θ ∈ ℝ^d, W d×d (10 in the paper).
        public var dimension = 10
        /// Functions optimized side by side in each training trajectory (the authors' code: 128).
        public var functionsPerTrajectory = 128
        /// Standard deviation of θ₀'s entries (the authors' code: 0.01).
        public var initialStd: Float = 0.01
    }

    public struct MNISTSettings: Codable, Equatable, Sendable {
        /// Folder with Fashion-MNIST's IDX files (Debian's `dataset-fashion-mnist`).
        public var data = FashionMNIST.defaultFolder
        /// Sigmoid units in the hidden layer (20 in the paper).
        public var hiddenUnits = 20
        /// Images per optimizee step (128 in the paper).
        public var batchSize = 128
        /// Training images 0..<this train the optimizer; the rest of the training split are the
        /// validation runs' (baseline tuning); held-out runs read the test split.
        public var metaTrainingImages = 50_000
    }

    public struct EvaluationSettings: Codable, Equatable, Sendable {
        /// Held-out runs (quadratics or MLP initialisations), from `testSeed`.
        public var testRuns = 100
        /// Runs that tune the baselines' learning rates, from `validationSeed`.
        public var validationRuns = 100
        /// Steps of every evaluation run; the table also reports every horizon in `horizons`.
        public var steps = 1000
        /// Steps at which the table reports the loss (the training horizon and beyond).
        public var horizons = [100, 200, 1000]
        public var testSeed: UInt64 = 1_000_003
        public var validationSeed: UInt64 = 2_000_003
        /// The grid each baseline's learning rate is chosen from (on the validation runs, by the
        /// mean loss over the training horizon, the quantity the optimizer is trained on).
        public var learningRates: [Float] = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1]
    }

    public init() {}
    public static let defaults = LearnedOptimizerConfig()
    public static var requiredKeys: [String] { ["kind", "problem"] }

    public func validate() throws {
        guard kind == "learned-optimizer" else { throw ConfigError.invalid(key: "kind", "must be learned-optimizer") }
        try ConfigError.check("hiddenSize", hiddenSize, in: 1...256)
        try ConfigError.check("layers", layers, in: 1...4)
        try ConfigError.checkPositive("outputScale", outputScale, atMost: 100)
        try ConfigError.check("preprocessingP", preprocessingP, in: 1...30)
        try ConfigError.check("iterations", iterations, in: 1...10_000_000)
        try ConfigError.check("unrollSteps", unrollSteps, in: 1...10_000)
        try ConfigError.check("truncation", truncation, in: 1...unrollSteps, "at most unrollSteps")
        try ConfigError.checkPositive("metaLearningRate", metaLearningRate, atMost: 1)
        try ConfigError.check("checkpointEvery", checkpointEvery, in: 1...10_000_000)
        try ConfigError.check("quadratic.dimension", quadratic.dimension, in: 1...1000)
        try ConfigError.check("quadratic.functionsPerTrajectory", quadratic.functionsPerTrajectory, in: 1...10_000)
        try ConfigError.check("quadratic.initialStd", quadratic.initialStd, in: 0...100)
        try ConfigError.check("mnist.hiddenUnits", mnist.hiddenUnits, in: 1...1000)
        try ConfigError.check("mnist.batchSize", mnist.batchSize, in: 1...10_000)
        try ConfigError.check("mnist.metaTrainingImages", mnist.metaTrainingImages, in: 1...59_999, "the rest of the 60 000 validate")
        guard !mnist.data.isEmpty else { throw ConfigError.invalid(key: "mnist.data", "empty path") }
        try ConfigError.check("evaluation.testRuns", evaluation.testRuns, in: 1...10_000)
        try ConfigError.check("evaluation.validationRuns", evaluation.validationRuns, in: 1...10_000)
        try ConfigError.check("evaluation.steps", evaluation.steps, in: 1...100_000)
        guard !evaluation.horizons.isEmpty else { throw ConfigError.invalid(key: "evaluation.horizons", "empty: give at least one step") }
        try ConfigError.check("evaluation.horizons", evaluation.horizons, in: 1...evaluation.steps, "steps reported, at most evaluation.steps")
        guard evaluation.testSeed != seed, evaluation.validationSeed != seed, evaluation.testSeed != evaluation.validationSeed else {
            throw ConfigError.invalid(key: "evaluation.testSeed", "seed, evaluation.validationSeed and evaluation.testSeed must differ (held-out runs are not training runs)")
        }
        guard !evaluation.learningRates.isEmpty else { throw ConfigError.invalid(key: "evaluation.learningRates", "empty: give at least one") }
        for rate in evaluation.learningRates { try ConfigError.checkPositive("evaluation.learningRates", rate, atMost: 100) }
    }

    /// The optimizer these settings describe.
    public var optimizer: LSTMOptimizer {
        LSTMOptimizer(hiddenSize: hiddenSize, layerCount: layers, outputScale: outputScale, preprocessingP: preprocessingP)
    }
}
