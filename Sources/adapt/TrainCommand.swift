import ArgumentParser
import Cluster
import Config
import Foundation

/// `adapt train --config envs/experiments/<experiment>.yaml`: meta-trains (or trains a baseline)
/// and writes `runs/<name>/` (config.yaml, progress.csv, checkpoints). The config's `kind` picks
/// the learner, once, here.
struct TrainCommand: ParsableCommand, SharedAmongRanks {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a meta-learner or a baseline from an experiment config.")

    @OptionGroup var training: TrainingOptions
    @OptionGroup(title: "Few-shot classification (kind: omniglot)") var dataset: DatasetOptions

    func validate() throws {
        try Limits.check("--iterations", training.iterations, in: 1...100_000_000)
    }

    func run() throws {
        let url = URL(fileURLWithPath: training.config)
        let kind = try ExperimentKind(of: url)
        try dataset.requireUnused(unless: kind)
        if kind != .metaRL { try Cluster.world.requireSingleRank("training of kind \(kind.rawValue)") }
        switch kind {
        case .sinusoid: try SinusoidCommands.train(training, configURL: url)
        case .omniglot: try OmniglotCommands.train(training, dataset: dataset, configURL: url)
        case .metaRL: try MetaRLCommands.train(training, configURL: url)
        case .metaGradientRL: try MetaGradientCommands.train(training, configURL: url)
        case .learnedOptimizer: try LearnedOptimizerCommands.train(training, configURL: url)
        }
    }
}

/// What every training run takes, whatever the experiment kind.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Experiment config (YAML), e.g. envs/experiments/sinusoid.yaml or envs/experiments/navigation-2d.yaml.")
    var config: String
    @Option(help: "Algorithm: maml, fomaml, pretrained, oracle or cavia; meta-RL also rl2; sinusoid also reptile; few-shot maml, fomaml, reptile, protonet, matching, relation, siamese, meta-lstm or metanet (the config's default if omitted).")
    var algo: String?
    @Option(help: "Run folder (default runs/<experiment>-<algo>).") var out: String?
    @Option(help: "Meta-iterations (overrides the config).") var iterations: Int?
    @Flag(help: "Continue the run in --out from its latest checkpoint.") var resume = false
    @Option(help: "Random seed (overrides the config).") var seed: UInt64?
    @Flag(help: "No progress bar (for logs).") var quiet = false
}

/// The image dataset few-shot classification reads; refused for other kinds rather than ignored.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Dataset folder (Omniglot layout: alphabet/character/*.png; default: the config's `data`).") var data: String?

    func requireUnused(unless kind: ExperimentKind) throws {
        if data != nil, kind != .omniglot {
            throw ValidationError("--data applies to few-shot classification configs (kind: omniglot), not \(kind.rawValue)")
        }
    }
}
