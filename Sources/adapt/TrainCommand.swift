import ArgumentParser
import Config
import Foundation

/// `adapt train --config envs/<experiment>.yaml`: meta-trains (or trains a baseline) and writes
/// `runs/<name>/` (config.yaml, progress.csv, checkpoints). The config's `kind` picks the learner.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a meta-learner or a baseline from an experiment config.")

    @Option(help: "Experiment config (YAML), e.g. envs/experiments/sinusoid.yaml or envs/experiments/navigation-2d.yaml.")
    var config: String
    @Option(help: "Algorithm: maml, fomaml, reptile, pretrained or oracle (the config's default if omitted).")
    var algo: String?
    @Option(help: "Run folder (default runs/<experiment>-<algo>).") var out: String?
    @Option(help: "Meta-iterations (overrides the config).") var iterations: Int?
    @Flag(help: "Continue the run in --out from its latest checkpoint.") var resume = false
    @Option(help: "Random seed (overrides the config).") var seed: UInt64?
    @Option(help: "Dataset folder for few-shot classification (Omniglot layout).") var data: String?
    @Flag(help: "No progress bar (for logs).") var quiet = false

    func validate() throws {
        try Limits.check("--iterations", iterations, in: 1...100_000_000)
    }

    func run() throws {
        let url = URL(fileURLWithPath: config)
        switch try experimentKind(of: url) {
        case "sinusoid", "omniglot": try SupervisedCommands.train(self, configURL: url)
        case "meta-rl": try MetaRLCommands.train(self, configURL: url)
        case let other: throw ValidationError("\(config): unknown experiment kind '\(other)' (sinusoid, omniglot or meta-rl)")
        }
    }
}
