import Experiments
import Foundation
import Config
import NN

/// Sinusoid regression (Finn et al. 2017, §5.1): each task is y = A·sin(x − φ) with
/// A ~ U[0.1, 5.0], φ ~ U[0, π], and inputs x ~ U[−5, 5]; the loss is mean squared error.
public struct SinusoidTaskFamily: Sendable, Equatable {
    public var amplitude: ClosedRange<Float>
    public var phase: ClosedRange<Float>
    public var input: ClosedRange<Float>

    public init(amplitude: ClosedRange<Float> = 0.1...5.0, phase: ClosedRange<Float> = 0...Float.pi,
                input: ClosedRange<Float> = -5...5) {
        self.amplitude = amplitude
        self.phase = phase
        self.input = input
    }

    /// Draws one task (its amplitude and phase).
    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> SinusoidTask {
        let a = Float(rng.uniform(Double(amplitude.lowerBound), Double(amplitude.upperBound)))
        let p = Float(rng.uniform(Double(phase.lowerBound), Double(phase.upperBound)))
        return SinusoidTask(amplitude: a, phase: p)
    }

    /// `count` tasks, each with `shots` support points and `queryPoints` query points drawn from
    /// the input range. With `oracle`, inputs carry (x, A, φ).
    public func sampleTasks<G: RandomNumberGenerator>(_ count: Int, shots: Int, queryPoints: Int, oracle: Bool = false,
                                                      using rng: inout G) -> [FewShotTask] {
        (0..<count).map { _ in
            sample(using: &rng).fewShotTask(shots: shots, queryPoints: queryPoints, input: input, oracle: oracle, using: &rng)
        }
    }
}

/// One sinusoid y = A·sin(x − φ).
public struct SinusoidTask: Sendable, Equatable, Codable {
    public var amplitude: Float
    public var phase: Float

    public init(amplitude: Float, phase: Float) {
        self.amplitude = amplitude
        self.phase = phase
    }

    public func callAsFunction(_ x: Float) -> Float { amplitude * Foundation.sin(x - phase) }

    /// Inputs [count, 1] (or [count, 3] = (x, A, φ) for the oracle) and targets [count, 1] at the given x.
    public func batch(at xs: [Float], oracle: Bool = false) -> (inputs: Tensor, targets: Tensor) {
        let inputs = oracle
            ? Tensor(shape: [xs.count, 3], scalars: xs.flatMap { [$0, amplitude, phase] })
            : Tensor(shape: [xs.count, 1], scalars: xs)
        return (inputs, Tensor(shape: [xs.count, 1], scalars: xs.map { self($0) }))
    }

    /// `count` inputs drawn uniformly from `range`.
    public static func inputs<G: RandomNumberGenerator>(_ count: Int, in range: ClosedRange<Float>, using rng: inout G) -> [Float] {
        (0..<count).map { _ in Float(rng.uniform(Double(range.lowerBound), Double(range.upperBound))) }
    }

    /// A few-shot task: `shots` support points and `queryPoints` fresh query points.
    public func fewShotTask<G: RandomNumberGenerator>(shots: Int, queryPoints: Int, input: ClosedRange<Float>,
                                                      supportRange: ClosedRange<Float>? = nil, oracle: Bool = false,
                                                      using rng: inout G) -> FewShotTask {
        let support = batch(at: Self.inputs(shots, in: supportRange ?? input, using: &rng), oracle: oracle)
        let query = batch(at: Self.inputs(queryPoints, in: input, using: &rng), oracle: oracle)
        return FewShotTask(supportInputs: support.inputs, supportTargets: support.targets,
                           queryInputs: query.inputs, queryTargets: query.targets)
    }
}

/// `envs/experiments/sinusoid.yaml`: the paper's sinusoid configuration (Finn et al. 2017, §5.1 and
/// appendix A.1; cbfinn/maml `main.py --datasource=sinusoid`). Each field's default is the paper's.
public struct SinusoidConfig: ConfigFile, Equatable {
    /// Always `sinusoid`.
    public var kind = "sinusoid"
    /// Seed of meta-training (task draws and initialisation).
    public var seed: UInt64 = 1
    /// Task family: amplitude A, phase φ and input x ranges, each [low, high].
    public var amplitude: [Float] = [0.1, 5.0]
    public var phase: [Float] = [0, Float(Double.pi)]
    public var input: [Float] = [-5, 5]
    /// Regressor: MLP 1 → 40 → 40 → 1.
    public var hiddenSizes = [40, 40]
    public var activation = Activation.relu
    /// Initial weights ~ N(0, σ²) truncated at 2σ, biases 0: cbfinn/maml's `construct_fc_weights`
    /// (σ = 0.01). 0 selects the activation's usual initialiser (He for ReLU and SiLU).
    public var initialWeightStd: Float = 0.01
    /// Default algorithm when `--algo` is not given.
    public var algorithm = Method.maml
    /// Meta-iterations (the paper: 70,000).
    public var iterations = 70_000
    /// K: support points per task in meta-training, and query points per task.
    public var shots = 10
    public var queryPoints = 10
    /// Inner loop, meta-optimiser and meta-batch (α = 0.01, 1 step, Adam β = 0.001, 25 tasks).
    public var learner = MetaLearnerSettings()
    /// Write a checkpoint every this many iterations.
    public var checkpointEvery = 1000
    /// Score the learner on validation tasks every this many iterations and keep the best as
    /// `best.safetensors` (0: never). Not in the paper, which reports its final iterate.
    public var validateEvery = 1000
    /// Every this many iterations, TensorBoard gets a picture of the learner's fit to one fixed
    /// task before and after adaptation (0: none).
    public var imageEvery = 1000
    /// Meta-test protocol.
    public var evaluation = SinusoidEvaluation()

    public init() {}
    public static var defaults: SinusoidConfig { SinusoidConfig() }

    public var family: SinusoidTaskFamily {
        SinusoidTaskFamily(amplitude: amplitude[0]...amplitude[1], phase: phase[0]...phase[1], input: input[0]...input[1])
    }

    /// The regressor for an algorithm: the oracle sees (x, A, φ), CAVIA (x, context).
    public func network(for algorithm: Method) -> MLP {
        let inputs = algorithm == .oracle ? 3 : algorithm == .cavia ? 1 + learner.contextSize : 1
        return MLP(sizes: [inputs] + hiddenSizes + [1], activation: activation)
    }

    /// Fresh parameters for an algorithm's network.
    public func initialParameters<G: RandomNumberGenerator>(for algorithm: Method, using rng: inout G) -> Parameters {
        let mlp = network(for: algorithm)
        guard initialWeightStd > 0 else { return mlp.initialParameters(using: &rng) }
        return mlp.initialParameters(using: &rng).zip(mlp.initialParameters(initializer: .zeros, using: &rng)) { drawn, zero in
            guard drawn.rank == 2 else { return zero }
            return Tensor(shape: drawn.shape, scalars: (0..<drawn.count).map { _ in
                var z = rng.normal()
                while abs(z) > 2 { z = rng.normal() }
                return initialWeightStd * Float(z)
            })
        }
    }

    public func validate() throws {
        if kind != "sinusoid" { throw ConfigError.invalid(key: "kind", "expected 'sinusoid', got '\(kind)'") }
        if !SinusoidExperiment.methods.contains(algorithm) {
            throw ConfigError.invalid(key: "algorithm", "\(algorithm.rawValue) is not trained here (\(Method.names(SinusoidExperiment.methods)))")
        }
        try ConfigError.check("initialWeightStd", initialWeightStd, in: 0...10)
        try ConfigError.checkInterval("amplitude", amplitude, within: -1e4...1e4)
        try ConfigError.checkInterval("phase", phase, within: -1e4...1e4)
        try ConfigError.checkInterval("input", input, within: -1e4...1e4)
        try ConfigError.check("hiddenSizes", hiddenSizes.count, in: 1...16, "number of hidden layers")
        try ConfigError.check("hiddenSizes", hiddenSizes, in: 1...4096)
        try ConfigError.check("iterations", iterations, in: 1...100_000_000)
        try ConfigError.check("shots", shots, in: 1...100_000)
        try ConfigError.check("queryPoints", queryPoints, in: 1...100_000)
        try ConfigError.check("validateEvery", validateEvery, in: 0...100_000_000)
        try ConfigError.check("imageEvery", imageEvery, in: 0...100_000_000)
        try ConfigError.check("checkpointEvery", checkpointEvery, in: 1...100_000_000)
        try learner.check(prefix: "learner")
        try evaluation.validate()
    }
}

/// The meta-test protocol (Finn et al. 2017, §5.1 and Figure 2): K = 5, 10, 20 support points, 0…10 steps with α = 0.01,
/// 100 query points, ≥ 600 tasks from a seed disjoint from training; the pretrained baseline's
/// fine-tuning step size is picked on separate validation tasks.
public struct SinusoidEvaluation: Codable, Sendable, Equatable {
    public var tasks = 600
    public var shots = [5, 10, 20]
    public var steps = 10
    public var stepSize: Float = 0.01
    public var queryPoints = 100
    /// Seed of the test tasks; training seeds are small, this one is far from them.
    public var seed: UInt64 = 1_000_003
    /// Candidate fine-tuning step sizes for the pretrained baseline and validation tasks to pick among them.
    public var fineTuneStepSizes: [Float] = [0.001, 0.003, 0.01, 0.02, 0.05, 0.1]
    public var validationTasks = 200
    public var validationSeed: UInt64 = 2_000_003

    public init() {}

    public func validate() throws {
        try ConfigError.check("evaluation.tasks", tasks, in: 1...1_000_000)
        try ConfigError.check("evaluation.shots", shots.count, in: 1...16, "number of support-set sizes")
        try ConfigError.check("evaluation.shots", shots, in: 1...100_000)
        try ConfigError.check("evaluation.steps", steps, in: 0...10_000)
        try ConfigError.checkPositive("evaluation.stepSize", stepSize, atMost: 100)
        try ConfigError.check("evaluation.queryPoints", queryPoints, in: 1...100_000)
        try ConfigError.check("evaluation.fineTuneStepSizes", fineTuneStepSizes.count, in: 1...100, "number of candidates")
        for size in fineTuneStepSizes { try ConfigError.checkPositive("evaluation.fineTuneStepSizes", size, atMost: 100) }
        try ConfigError.check("evaluation.validationTasks", validationTasks, in: 1...1_000_000)
    }
}

extension MetaLearnerSettings {
    /// Range checks, naming keys under `prefix`.
    public func check(prefix: String) throws {
        try ConfigError.check("\(prefix).innerSteps", innerSteps, in: 0...1000)
        try ConfigError.check("\(prefix).innerStepSize", innerStepSize, in: 0...100)
        try ConfigError.checkPositive("\(prefix).metaStepSize", metaStepSize, atMost: 100)
        try ConfigError.check("\(prefix).metaBatchSize", metaBatchSize, in: 1...100_000)
        try ConfigError.check("\(prefix).reptileInnerSteps", reptileInnerSteps, in: 1...10_000)
        try ConfigError.check("\(prefix).reptileInnerStepSize", reptileInnerStepSize, in: 0...100)
        try ConfigError.check("\(prefix).contextSize", contextSize, in: 1...1024)
        try ConfigError.check("\(prefix).contextStepSize", contextStepSize, in: 0...1000)
        try ConfigError.check("\(prefix).metaLSTMSteps", metaLSTMSteps, in: 1...1000)
        try ConfigError.check("\(prefix).fullContextSteps", fullContextSteps, in: 0...100)
    }
}
