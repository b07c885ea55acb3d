import Experiments
import Config
import Foundation
import Graphics
import NN

/// The sinusoid experiment end to end (Finn et al. 2017, §5.1): building a learner for each
/// algorithm, training runs, loading shipped policies and the meta-test of every method.
public enum SinusoidExperiment {
    /// The methods sinusoid regression trains: MAML's family and the baselines (the episode
    /// classifiers classify; they do not regress).
    public static let methods = MetaLearner.methods.filter { !$0.classifiesEpisodes }

    /// The regression model for an algorithm (the oracle's MLP takes (x, A, φ)).
    public static func model(_ config: SinusoidConfig, algorithm: Method) -> FunctionalModel {
        let mlp = config.network(for: algorithm)
        if algorithm == .cavia {
            return FunctionalModel(loss: .meanSquaredError, batchesTasks: true) { p, x in mlp(Context.appended(to: x, p[Context.name]), p) }
        }
        return FunctionalModel(loss: .meanSquaredError, batchesTasks: true) { p, x in mlp(x, p) }
    }

    /// A fresh learner, initialised from the config's seed.
    public static func learner(_ config: SinusoidConfig, algorithm: Method) -> MetaLearner {
        var rng = Xoshiro256(seed: config.seed)
        let theta = config.initialParameters(for: algorithm, using: &rng)
        return MetaLearner(algorithm: algorithm, settings: config.learner, model: model(config, algorithm: algorithm),
                           initialParameters: theta)
    }

    /// A training run in `folder`: meta-batches of `metaBatchSize` tasks with K support and query points.
    public static func run(_ config: SinusoidConfig, algorithm: Method, folder: URL) -> TrainingRun {
        let family = config.family
        var metadata = metadata(config, algorithm: algorithm)
        metadata["format"] = "adapt.sinusoid.v1"
        var seeder = Xoshiro256(seed: config.seed)
        let taskRNG = seeder.split(1)
        var run = TrainingRun(folder: folder, learner: learner(config, algorithm: algorithm), rng: taskRNG,
                              metadata: metadata, checkpointEvery: config.checkpointEvery) { rng in
            family.sampleTasks(config.learner.metaBatchSize, shots: config.shots, queryPoints: config.queryPoints,
                               oracle: algorithm == .oracle, using: &rng)
        }
        if config.validateEvery > 0 {
            let score = validationScore(config, algorithm: algorithm)
            run.validation = (config.validateEvery, score)
        }
        if config.imageEvery > 0 { run.image = (config.imageEvery, fitImage(config, algorithm: algorithm)) }
        return run
    }

    /// The model-selection score on validation tasks (their own seed, disjoint from the test
    /// seed): for the meta-learners, the query MSE after 1 and after `evaluation.steps` steps
    /// with the test-time α, averaged over the smallest two K of the protocol; for the baselines,
    /// the query MSE without adaptation. A run whose fine-tuning diverges on any task scores ∞.
    public static func validationScore(_ config: SinusoidConfig, algorithm: Method) -> (MetaLearner) -> Double {
        let e = config.evaluation
        let shots = Array(e.shots.sorted().prefix(2))
        let sets = shots.map { testSet(config, count: e.validationTasks, shots: $0, seed: e.validationSeed &+ 101)
            .fewShotTasks(oracle: algorithm == .oracle) }
        let steps = algorithm.adaptsInTraining ? e.steps : 0
        return { learner in
            var total = 0.0
            for tasks in sets {
                let curve = Evaluation.summarize(Evaluation.adaptationValues(
                    model: learner.model, parameters: learner.testParameters, stepSizes: learner.stepSizes,
                    tasks: tasks, steps: steps, stepSize: learner.testStepSize(otherwise: e.stepSize), adapted: learner.adaptedAtTest))
                total += steps == 0 ? curve.mean[0] : (curve.mean[1] + curve.mean[steps]) / 2
            }
            // Fine-tuning that diverged on some task gives NaN: it scores ∞, the worst.
            return total.isFinite ? total / Double(sets.count) : .infinity
        }
    }

    /// What a checkpoint records about how it was made.
    public static func metadata(_ config: SinusoidConfig, algorithm: Method) -> [String: String] {
        let l = config.learner
        return [
            "experiment": "sinusoid", "algorithm": algorithm.rawValue,
            "model": "MLP \(config.network(for: algorithm).sizes.map(String.init).joined(separator: "-")) \(config.activation.rawValue)",
            "activation": config.activation.rawValue,
            "shots": String(config.shots), "query_points": String(config.queryPoints),
            "inner_steps": String(algorithm == .reptile ? l.reptileInnerSteps : l.innerSteps),
            "inner_step_size": String(algorithm == .reptile ? l.reptileInnerStepSize : algorithm == .cavia ? l.contextStepSize : l.innerStepSize),
            "context_size": String(algorithm == .cavia ? l.contextSize : 0),
            "learned_inner_step_size": String(l.learnInnerStepSize), "multi_step_loss": String(l.multiStepLoss),
            "meta_optimizer": l.metaOptimizer.rawValue, "meta_step_size": String(l.metaStepSize),
            "meta_batch_size": String(l.metaBatchSize), "seed": String(config.seed),
        ]
    }

    // MARK: - Policies

    public struct Policy: Sendable {
        public var name: String
        public var algorithm: Method
        public var activation: Activation
        public var trainable: Parameters
        public var metadata: [String: String]

        public var parameters: Parameters { MetaLearner.split(trainable).parameters }
        public var stepSizes: Parameters? { MetaLearner.split(trainable).stepSizes }

        /// CAVIA's context size as recorded (0 for the other methods).
        public var contextSize: Int { Int(metadata["context_size"] ?? "") ?? 0 }
        /// What the model runs on at test time: θ, and for CAVIA a zero context.
        public var testParameters: Parameters { Context.testParameters(parameters, algorithm: algorithm, size: contextSize) }
        /// The parameters test-time steps change: CAVIA its context only, the others all.
        public var adaptedAtTest: Set<String>? { Context.adapted(by: algorithm) }
        /// CAVIA adapts with the context step size it was trained with; nil for the others.
        public var trainedStepSize: Float? { algorithm == .cavia ? metadata["inner_step_size"].flatMap(Float.init) : nil }
    }

    /// Reads a shipped policy (or a run's checkpoint: optimiser tensors are ignored).
    public static func loadPolicy(_ url: URL) throws -> Policy {
        let contents = try Safetensors.read(url)
        guard let algorithmName = contents.metadata["algorithm"], let algorithm = Method(rawValue: algorithmName) else {
            throw Safetensors.Error.corrupt(path: url.path, reason: "metadata names no known algorithm")
        }
        let keep = contents.tensors.names.enumerated().filter { !$0.element.hasPrefix("optimizer.") }
        // Safetensors sorts entries by offset; put layers back in their natural order.
        let names = keep.map(\.element).sorted(by: Self.parameterOrder)
        let trainable = Parameters(names: names, tensors: names.map { contents.tensors[$0] })
        let activation: Activation
        switch contents.metadata["activation"] {
        case nil: activation = .relu
        case let name?:
            guard let parsed = Activation(rawValue: name) else {
                throw Safetensors.Error.corrupt(path: url.path, reason: "metadata 'activation' '\(name)' is unknown")
            }
            activation = parsed
        }
        guard trainable.isFinite else { throw Safetensors.Error.corrupt(path: url.path, reason: "parameters contain NaN or infinity") }
        return Policy(name: url.deletingPathExtension().lastPathComponent, algorithm: algorithm, activation: activation,
                      trainable: trainable, metadata: contents.metadata)
    }

    /// Throws unless the policy's θ has exactly the names and shapes of `expected` (the network
    /// the config describes), and its learned step sizes, if any, match θ's shapes.
    public static func requireShapes(_ policy: Policy, of expected: Parameters, path: String) throws {
        let (theta, alpha) = MetaLearner.split(policy.trainable)
        // Compared as sets: a file lists its tensors in its own order, and the network finds them by name.
        let shapes = { (p: Parameters) in zip(p.names, p.tensors.map(\.shape)).map { "\($0) \($1)" }.sorted() }
        guard shapes(theta) == shapes(expected), alpha.map({ shapes($0) == shapes(expected) }) ?? true else {
            throw Safetensors.Error.corrupt(path: path, reason: "tensors \(shapes(policy.trainable)) do not fit the config's network \(shapes(expected))")
        }
    }

    /// θ before α, then by name (layer1 < layer2 …).
    static func parameterOrder(_ a: String, _ b: String) -> Bool {
        let pa = a.hasPrefix(MetaLearner.stepSizePrefix), pb = b.hasPrefix(MetaLearner.stepSizePrefix)
        if pa != pb { return !pa }
        return a.compare(b, options: .numeric) == .orderedAscending
    }

    // MARK: - Meta-test

    /// Held-out tasks with their support and query inputs, shared by every method so all see
    /// exactly the same points.
    public struct TestSet: Sendable {
        public var tasks: [SinusoidTask]
        public var supportX: [[Float]]
        public var queryX: [[Float]]

        public func fewShotTasks(oracle: Bool) -> [FewShotTask] {
            tasks.indices.map { i in
                let s = tasks[i].batch(at: supportX[i], oracle: oracle), q = tasks[i].batch(at: queryX[i], oracle: oracle)
                return FewShotTask(supportInputs: s.inputs, supportTargets: s.targets, queryInputs: q.inputs, queryTargets: q.targets)
            }
        }
    }

    public static func testSet(_ config: SinusoidConfig, count: Int, shots: Int, seed: UInt64) -> TestSet {
        var rng = Xoshiro256(seed: seed &+ UInt64(shots) &* 7919)
        let family = config.family
        var set = TestSet(tasks: [], supportX: [], queryX: [])
        for _ in 0..<count {
            set.tasks.append(family.sample(using: &rng))
            set.supportX.append(SinusoidTask.inputs(shots, in: family.input, using: &rng))
            set.queryX.append(SinusoidTask.inputs(config.evaluation.queryPoints, in: family.input, using: &rng))
        }
        return set
    }

    /// One method's meta-test results.
    public struct MethodResult: Sendable, Codable {
        public var method: String
        public var algorithm: Method
        /// The fine-tuning step size used at test time, per K ("learned" values are summarised by their mean).
        public var stepSize: [String: Float]
        /// Query MSE after 0…N steps, per K (keys "5", "10", "20").
        public var mse: [String: Evaluation.Curve]
    }

    public struct Report: Sendable, Codable {
        public var experiment = "sinusoid"
        public var tasks: Int
        public var queryPoints: Int
        public var steps: Int
        public var seed: UInt64
        public var methods: [MethodResult]
    }

    /// Evaluates `policies` on the config's test protocol.
    public static func evaluate(_ config: SinusoidConfig, policies: [Policy], tasks: Int? = nil, steps: Int? = nil,
                                seed: UInt64? = nil) -> Report {
        let e = config.evaluation
        let count = tasks ?? e.tasks, steps = steps ?? e.steps, seed = seed ?? e.seed
        var methods: [MethodResult] = []
        for policy in policies {
            let cfg = config.shaped(for: policy)
            let model = model(cfg, algorithm: policy.algorithm)
            let oracle = policy.algorithm == .oracle
            var result = MethodResult(method: policy.name, algorithm: policy.algorithm, stepSize: [:], mse: [:])
            for shots in e.shots {
                var alpha = e.stepSize
                if policy.algorithm == .pretrained {
                    let validation = testSet(config, count: e.validationTasks, shots: shots, seed: e.validationSeed)
                    alpha = Evaluation.tunedStepSize(model: model, parameters: policy.parameters,
                                                     tasks: validation.fewShotTasks(oracle: false), steps: steps,
                                                     candidates: e.fineTuneStepSizes)
                }
                if let learned = policy.stepSizes {
                    let all = learned.tensors.flatMap(\.scalars)
                    alpha = all.reduce(0, +) / Float(all.count)
                }
                if let trained = policy.trainedStepSize { alpha = trained }
                let test = testSet(config, count: count, shots: shots, seed: seed).fewShotTasks(oracle: oracle)
                // The oracle already knows the task: it is not fine-tuned (a flat line in Figure 3).
                var values = Evaluation.adaptationValues(model: model, parameters: policy.testParameters, stepSizes: policy.stepSizes,
                                                         tasks: test, steps: oracle ? 0 : steps, stepSize: alpha,
                                                         adapted: policy.adaptedAtTest)
                if oracle { values = values.map { Array(repeating: $0[0], count: steps + 1) }; alpha = 0 }
                result.mse[String(shots)] = Evaluation.summarize(values)
                result.stepSize[String(shots)] = alpha
            }
            methods.append(result)
        }
        return Report(tasks: count, queryPoints: e.queryPoints, steps: steps, seed: seed, methods: methods)
    }
}

// MARK: - Qualitative fits

extension SinusoidExperiment {
    /// The picture TensorBoard shows of a training run: the learner's fit to one task (fixed for
    /// the run, from the validation seed) before adaptation and after its training steps, on K points.
    static func fitImage(_ config: SinusoidConfig, algorithm: Method) -> (MetaLearner) -> TensorBoardEvent.Image {
        var rng = Xoshiro256(seed: config.evaluation.validationSeed &+ 31)
        let task = config.family.sample(using: &rng)
        let supportX = SinusoidTask.inputs(config.shots, in: config.family.input, using: &rng)
        let metadata = metadata(config, algorithm: algorithm)
        return { learner in
            let policy = Policy(name: algorithm.rawValue, algorithm: algorithm, activation: config.activation,
                                trainable: learner.trainable, metadata: metadata)
            let steps = algorithm.adaptsInTraining && algorithm != .reptile ? max(1, config.learner.innerSteps) : 1
            let f = fit(config, policy: policy, task: task, supportX: supportX, steps: [0, steps], stepSize: learner.testStepSize(otherwise: config.evaluation.stepSize))
            var plot = LinePlot(title: String(format: "%@, iteration %d: A = %.2f, phase %.2f", algorithm.rawValue, learner.iteration, task.amplitude, task.phase), xLabel: "x", yLabel: "y",
                                width: 640, height: 320)
            let grid = f.grid.map(Double.init)
            plot.add(.init(label: "truth", x: grid, y: f.truth.map(Double.init), color: RGB(120, 120, 120), dashed: true))
            for (s, prediction) in zip(f.steps, f.predictions) {
                plot.add(.init(label: s == 0 ? "before" : "after \(s) step\(s == 1 ? "" : "s")", x: grid, y: prediction.map(Double.init)))
            }
            let points = LinePlot.Scatter(x: f.supportX.map(Double.init), y: f.supportY.map(Double.init), color: RGB(200, 30, 30), radius: 4)
            let canvas = plot.canvas(overlaying: [points])
            return TensorBoardEvent.Image(tag: "fit", width: canvas.width, height: canvas.height, png: PNG.encode(canvas))
        }
    }

    /// A fit for Figure 2: the model's predictions on `grid` after each of `steps` gradient steps
    /// on the support points, with the ground truth.
    public struct Fit: Sendable {
        public var task: SinusoidTask
        public var supportX: [Float]
        public var supportY: [Float]
        public var grid: [Float]
        public var truth: [Float]
        /// predictions[i] after `steps[i]` steps.
        public var steps: [Int]
        public var predictions: [[Float]]
    }

    public static func fit(_ config: SinusoidConfig, policy: Policy, task: SinusoidTask, supportX: [Float],
                           steps: [Int], stepSize: Float, gridPoints: Int = 200) -> Fit {
        let model = model(config.shaped(for: policy), algorithm: policy.algorithm)
        let oracle = policy.algorithm == .oracle
        let lo = config.input[0], hi = config.input[1]
        let grid = (0..<gridPoints).map { lo + (hi - lo) * Float($0) / Float(gridPoints - 1) }
        let support = task.batch(at: supportX, oracle: oracle)
        let gridInputs = task.batch(at: grid, oracle: oracle).inputs
        var predictions: [[Float]] = []
        _ = SupportSetAdaptation(steps: steps.max() ?? 0, stepSize: policy.trainedStepSize ?? stepSize, createGraph: false,
                                 adapted: policy.adaptedAtTest)
            .adapt(policy.testParameters.detached(), stepSizes: policy.stepSizes?.detached(), model: model,
                   inputs: support.inputs, targets: support.targets) { step, theta in
                if steps.contains(step) { predictions.append(withoutGradients { model.apply(theta, gridInputs) }.scalars) }
            }
        return Fit(task: task, supportX: supportX, supportY: support.targets.scalars, grid: grid,
                   truth: grid.map { task($0) }, steps: steps, predictions: predictions)
    }
}

extension SinusoidConfig {
    /// This config with the network a policy was trained with (its activation, CAVIA's context size).
    public func shaped(for policy: SinusoidExperiment.Policy) -> SinusoidConfig {
        var config = self
        config.activation = policy.activation
        if policy.algorithm == .cavia { config.learner.contextSize = policy.contextSize }
        return config
    }
}
