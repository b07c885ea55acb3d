import Experiments
import Config
import Foundation
import NN

/// `envs/experiments/omniglot.yaml`: N-way K-shot classification with the conv4 model (Finn et al. 2017,
/// §5.2 and Table 1; cbfinn/maml `main.py --datasource=omniglot`). Defaults: Omniglot 5-way
/// 1-shot, α = 0.4, one inner step, meta-batch 32, Adam β = 0.001.
public struct OmniglotConfig: ConfigFile, Equatable {
    /// `omniglot` (any folder in the Omniglot layout, MiniImagenet converted to PNG included).
    public var kind = "omniglot"
    /// Dataset folder (`alphabet/character/*.png`); `--data` overrides it.
    public var data = ""
    public var seed: UInt64 = 1
    /// Images are resized to imageSize × imageSize greyscale.
    public var imageSize = 28
    /// Add each class rotated by 90°, 180° and 270° as three new classes.
    public var rotations = true
    /// How classes are split between meta-training and testing: `random` (trainClasses of them,
    /// drawn by the seed) or `folders` (the dataset's own `train/` and `test/` folders, e.g. split by
    /// alphabet as Omniglot's background and evaluation sets and `adapt data glyphs` are).
    public var split = ClassSplit.random
    /// With `split: random`, classes (before rotation) used for meta-training; the rest are held
    /// out for testing. Omniglot's standard split: 1200 of its 1623 characters.
    public var trainClasses = 1200
    /// N, K and query examples per class.
    public var ways = 5
    public var shots = 1
    public var queryShots = 15
    /// conv4: filters per layer (64 Omniglot, 32 MiniImagenet) and blocks.
    public var filters = 64
    public var blocks = 4
    public var algorithm = Method.maml
    public var iterations = 40_000
    public var learner: MetaLearnerSettings = {
        var s = MetaLearnerSettings()
        s.innerStepSize = 0.4
        s.metaBatchSize = 32
        return s
    }()
    public var checkpointEvery = 500
    /// Meta-test: episodes from the held-out classes, accuracy after 0…steps steps.
    public var evaluation = ClassificationEvaluation()

    public init() {}
    public static var defaults: OmniglotConfig { OmniglotConfig() }

    public var model: Conv4 { Conv4(imageSize: imageSize, channels: 1, filters: filters, blocks: blocks, ways: ways) }

    public func validate() throws {
        if kind != "omniglot" { throw ConfigError.invalid(key: "kind", "expected 'omniglot', got '\(kind)'") }
        if !OmniglotExperiment.methods.contains(algorithm) {
            throw ConfigError.invalid(key: "algorithm", "\(algorithm.rawValue) is not trained here (\(Method.names(OmniglotExperiment.methods)))")
        }
        try ConfigError.check("imageSize", imageSize, in: 2...1024)
        try ConfigError.check("blocks", blocks, in: 1...16)
        if (0..<blocks).reduce(imageSize, { s, _ in s / 2 }) < 1 { throw ConfigError.invalid(key: "blocks", "\(blocks) blocks pool a \(imageSize)-pixel image away") }
        try ConfigError.check("ways", ways, in: 2...1000, "classes per episode")
        try ConfigError.check("shots", shots, in: 1...1000)
        try ConfigError.check("queryShots", queryShots, in: 1...1000)
        try ConfigError.check("filters", filters, in: 1...1024)
        try ConfigError.check("trainClasses", trainClasses, in: 1...1_000_000)
        try ConfigError.check("iterations", iterations, in: 1...100_000_000)
        try ConfigError.check("checkpointEvery", checkpointEvery, in: 1...100_000_000)
        try learner.check(prefix: "learner")
        try ConfigError.check("evaluation.episodes", evaluation.episodes, in: 1...1_000_000)
        try ConfigError.check("evaluation.queryShots", evaluation.queryShots, in: 1...1000)
        try ConfigError.check("evaluation.steps", evaluation.steps, in: 0...10_000)
        try ConfigError.checkPositive("evaluation.stepSize", evaluation.stepSize, atMost: 100)
    }
}

/// Where a few-shot dataset's test classes come from.
public enum ClassSplit: String, Codable, Sendable, Equatable {
    case random, folders
}

/// The classification meta-test protocol.
public struct ClassificationEvaluation: Codable, Sendable, Equatable {
    public var episodes = 600
    /// Query examples per class of a test episode.
    public var queryShots = 15
    public var steps = 3
    public var stepSize: Float = 0.4
    public var seed: UInt64 = 1_000_003

    public init() {}
}

/// Few-shot classification end to end: dataset splits, learners, training runs and the meta-test.
public enum OmniglotExperiment {
    /// The methods few-shot classification trains.
    public static let methods: [Method] = [.maml, .fomaml, .reptile, .protonet, .matching, .relation, .siamese, .metaLSTM, .metanet]

    /// conv4 with its linear head, or (metric learners, MetaNet) the embedding its blocks compute.
    public static func model(_ config: OmniglotConfig, algorithm: Method) -> FunctionalModel {
        let net = config.model
        if usesEmbedding(algorithm) { return FunctionalModel(loss: .crossEntropy) { p, x in net.features(x, p) } }
        return FunctionalModel(loss: .crossEntropy) { p, x in net(x, p) }
    }

    static func usesEmbedding(_ algorithm: Method) -> Bool { algorithm.isMetricBased || algorithm == .metanet }

    /// The initial parameters of `algorithm`'s model (seeded by the config): conv4, with its linear
    /// head or (embedding methods) without, then the meta-learner's own parameters if it has any.
    public static func initialParameters(_ config: OmniglotConfig, algorithm: Method) -> Parameters {
        var rng = Xoshiro256(seed: config.seed)
        let net = config.model.initialParameters(head: !usesEmbedding(algorithm), using: &rng)
        if let metric = MetricClassifier(algorithm) {
            let head = net.appending(metric.headParameters(features: config.model.featureCount, using: &rng))
            return fullContext(config, algorithm: algorithm).map { head.appending($0.initialParameters(using: &rng)) } ?? head
        }
        switch algorithm {
        case .metaLSTM: return net.appending(MetaLSTM.parameters(using: &rng))
        case .metanet: return net.appending(MetaNetwork.parameters(features: config.model.featureCount, ways: config.ways, using: &rng))
        default: return net
        }
    }

    /// Matching networks' full-context embeddings, when the config asks for them.
    static func fullContext(_ config: OmniglotConfig, algorithm: Method) -> FullContextEmbedding? {
        guard algorithm == .matching, config.learner.fullContextSteps > 0 else { return nil }
        return FullContextEmbedding(features: config.model.featureCount, steps: config.learner.fullContextSteps)
    }

    /// The whole-episode classifier of `algorithm`, if it has one.
    public static func episodeClassifier(_ config: OmniglotConfig, algorithm: Method) -> EpisodeClassifier? {
        if let metric = MetricClassifier(algorithm) {
            return MetricLearner(metric: metric, embedding: model(config, algorithm: algorithm), fullContext: fullContext(config, algorithm: algorithm))
        }
        switch algorithm {
        case .metaLSTM:
            return MetaLSTM(learner: model(config, algorithm: algorithm), learnerNames: config.model.parameterNames(),
                            steps: config.learner.metaLSTMSteps)
        case .metanet:
            return MetaNetwork(embedding: model(config, algorithm: algorithm), features: config.model.featureCount, ways: config.ways)
        default: return nil
        }
    }

    public static func learner(_ config: OmniglotConfig, algorithm: Method) -> MetaLearner {
        MetaLearner(algorithm: algorithm, settings: config.learner, model: model(config, algorithm: algorithm),
                    episodeClassifier: episodeClassifier(config, algorithm: algorithm),
                    initialParameters: initialParameters(config, algorithm: algorithm))
    }

    /// Train and test samplers over a loaded folder, split by class with the config's seed, or by
    /// the dataset's `train/` and `test/` folders.
    public static func samplers(_ config: OmniglotConfig, folder: ImageFolder, testShots: [Int] = []) throws -> (train: EpisodeSampler, test: EpisodeSampler) {
        let fewest = folder.images.indices.min { folder.images[$0].count < folder.images[$1].count }
        for (key, needed) in [("queryShots", config.shots + config.queryShots),
                              ("evaluation.queryShots", ([config.shots] + testShots).max()! + config.evaluation.queryShots)] {
            if let thin = fewest, folder.images[thin].count < needed {
                throw ConfigError(file: "", key: key, message: "an episode needs \(needed) images of a class (shots + \(key)); "
                                  + "\(folder.classNames[thin]) has \(folder.images[thin].count)")
            }
        }
        if config.split == .folders {
            let (train, test) = try folder.classes(under: "train", "test")
            return (EpisodeSampler(folder: folder, classes: train, rotations: config.rotations),
                    EpisodeSampler(folder: folder, classes: test, rotations: config.rotations))
        }
        let count = folder.classNames.count
        guard config.trainClasses < count else {
            throw ConfigError(file: "", key: "trainClasses",
                              message: "\(config.trainClasses) training classes leave none of the dataset's \(count) for testing")
        }
        let split = EpisodeSampler.split(classCount: count, trainCount: config.trainClasses, seed: config.seed)
        return (EpisodeSampler(folder: folder, classes: split.train, rotations: config.rotations),
                EpisodeSampler(folder: folder, classes: split.test, rotations: config.rotations))
    }

    /// A trained checkpoint as a row of the benchmark table: the episode classifiers classify,
    /// MAML's family adapts with the steps and step size it was trained with (accuracy after the last).
    public static func tableEntry(_ config: OmniglotConfig, name: String? = nil, algorithm: Method, parameters: Parameters, stepSizes: Parameters?,
                                  trainingSeconds: Double?) -> FewShotTable.Entry {
        let name = name ?? algorithm.rawValue
        if let classifier = episodeClassifier(config, algorithm: algorithm) {
            return FewShotTable.Entry(method: name, trainedWays: config.ways, anyWays: algorithm.isMetricBased, trainingSeconds: trainingSeconds) {
                classifier.accuracy(of: $0, parameters: parameters)
            }
        }
        // Adapted at test as in training: MAML's inner steps, Reptile's (on the support set alone).
        let net = model(config, algorithm: algorithm), inner = learner(config, algorithm: algorithm).trainingAdaptation
        return FewShotTable.Entry(method: name, trainedWays: config.ways, anyWays: false, trainingSeconds: trainingSeconds) { task in
            Evaluation.adaptationValues(model: net, parameters: parameters, stepSizes: stepSizes, tasks: [task], steps: inner.steps,
                                        stepSize: inner.stepSize, metric: .accuracy)[0].last!
        }
    }

    /// The floor every learner should clear: nearest class mean on raw pixels, nothing trained.
    public static let pixelCentroidEntry: FewShotTable.Entry = {
        let classifier = MetricLearner(metric: .prototypes, embedding: FunctionalModel(loss: .crossEntropy) { _, x in x })
        return FewShotTable.Entry(method: "pixels (nearest centroid)", trainedWays: nil, anyWays: true, trainingSeconds: nil) {
            classifier.accuracy(of: $0, parameters: Parameters(names: [], tensors: []))
        }
    }()

    public static func run(_ config: OmniglotConfig, algorithm: Method, sampler: EpisodeSampler, folder: URL) throws -> TrainingRun {
        var seeder = Xoshiro256(seed: config.seed)
        var trained = config
        trained.algorithm = algorithm
        let metadata: [String: String] = [
            "config": try trained.yaml(),  // every setting as trained: the table rebuilds each checkpoint's learner from it
            "experiment": "omniglot", "algorithm": algorithm.rawValue, "format": "adapt.classification.v1",
            "model": "conv4 \(config.blocks)x\(config.filters) on \(config.imageSize)x\(config.imageSize)",
            "ways": String(config.ways), "shots": String(config.shots), "query_shots": String(config.queryShots),
            "inner_steps": String(config.learner.innerSteps), "inner_step_size": String(config.learner.innerStepSize),
            "meta_batch_size": String(config.learner.metaBatchSize), "meta_step_size": String(config.learner.metaStepSize),
            "image_size": String(config.imageSize), "filters": String(config.filters), "blocks": String(config.blocks),
            "meta_lstm_steps": String(config.learner.metaLSTMSteps), "full_context_steps": String(config.learner.fullContextSteps),
        ]
        return TrainingRun(folder: folder, learner: learner(config, algorithm: algorithm), rng: seeder.split(1),
                           metadata: metadata, checkpointEvery: config.checkpointEvery) { rng in
            (0..<config.learner.metaBatchSize).map { _ in
                sampler.sample(ways: config.ways, shots: config.shots, queryShots: config.queryShots, using: &rng)
            }
        }
    }

    /// Query accuracy after 0…`steps` adaptation steps on `episodes` episodes of the test classes
    /// (metric learners: by similarity to the support set, one value).
    public static func evaluate(_ config: OmniglotConfig, algorithm: Method = .maml, parameters: Parameters, stepSizes: Parameters? = nil,
                                sampler: EpisodeSampler, episodes: Int? = nil, steps: Int? = nil) -> Evaluation.Curve {
        var rng = Xoshiro256(seed: config.evaluation.seed)
        let tasks = (0..<(episodes ?? config.evaluation.episodes)).map { _ in
            sampler.sample(ways: config.ways, shots: config.shots, queryShots: config.evaluation.queryShots, using: &rng)
        }
        if let classifier = episodeClassifier(config, algorithm: algorithm) {
            return Evaluation.summarize(tasks.map { [classifier.accuracy(of: $0, parameters: parameters)] })
        }
        return Evaluation.summarize(Evaluation.adaptationValues(
            model: model(config, algorithm: algorithm), parameters: parameters, stepSizes: stepSizes, tasks: tasks,
            steps: steps ?? config.evaluation.steps, stepSize: config.evaluation.stepSize, metric: .accuracy))
    }
}
