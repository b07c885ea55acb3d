import ArgumentParser
import Cluster
import Config
import Foundation

/// `adapt eval`: meta-test evaluation after 0…N adaptation steps on held-out tasks. `--config`
/// evaluates an experiment's checkpoints whatever its kind; `--experiment` every shipped method of
/// meta-RL experiments side by side; `--policy` one meta-RL checkpoint; `--replot` redraws.
struct EvalCommand: ParsableCommand, SharedAmongRanks {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate trained policies after 0…N adaptation steps on held-out tasks.")

    @Option(help: "Experiment config (YAML): evaluates the checkpoints in --policies (meta-RL: the same as --experiment <its name>).")
    var config: String?
    @OptionGroup var heldOut: HeldOutOptions
    @OptionGroup(title: "Meta-reinforcement learning (kind: meta-rl)") var metaRL: MetaRLEvalOptions
    @OptionGroup(title: "Few-shot classification (kind: omniglot)") var dataset: DatasetOptions

    func validate() throws {
        let given = [config, metaRL.policy, metaRL.experiment, metaRL.replot].compactMap { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --config, --policy, --experiment or --replot") }
        try heldOut.validate()
        try metaRL.validate()
    }

    func run() throws {
        guard let config else {
            if dataset.data != nil { throw ValidationError("--data applies to --config with a few-shot classification config") }
            return try MetaRLCommands.evaluate(heldOut, metaRL)
        }
        let url = URL(fileURLWithPath: config)
        let kind = try ExperimentKind(of: url)
        try dataset.requireUnused(unless: kind)
        if kind != .metaRL {
            try metaRL.requireUnused(by: kind)
            try Cluster.world.requireSingleRank("evaluation of kind \(kind.rawValue)")
        }
        switch kind {
        case .sinusoid: try SinusoidCommands.evaluate(heldOut, configURL: url)
        case .omniglot: try OmniglotCommands.evaluate(heldOut, dataset: dataset, configURL: url)
        case .metaRL:
            var options = metaRL
            options.experiment = url.deletingPathExtension().lastPathComponent
            try MetaRLCommands.evaluate(heldOut, options)
        case .metaGradientRL: try MetaGradientCommands.evaluate(heldOut, configURL: url)
        case .learnedOptimizer: try LearnedOptimizerCommands.evaluate(heldOut, configURL: url)
        }
    }
}

/// The held-out evaluation every kind runs: how many tasks, steps, which seed, where results go.
struct HeldOutOptions: ParsableArguments {
    @Option(help: "Folder of checkpoints to evaluate (default policies/<experiment>; omniglot: a run folder or a policy file).")
    var policies: String?
    @Option(help: "Held-out tasks.") var tasks: Int?
    @Option(help: "Adaptation steps.") var steps: Int?
    @Option(help: "Seed of the held-out tasks (disjoint from training seeds).") var seed: UInt64?
    @Option(help: "Folder for plots and results (default runs/eval-<experiment>).") var out: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        try Limits.check("--tasks", tasks, in: 1...100_000)
        try Limits.check("--steps", steps, in: 0...1000)
    }
}

/// Meta-RL evaluation: one checkpoint, whole experiments, or a redraw of earlier ones.
struct MetaRLEvalOptions: ParsableArguments {
    @Option(help: "One meta-RL checkpoint.") var policy: String?
    @Option(help: "Meta-RL experiment(s), comma-separated: evaluate all their shipped methods (several: also one figure with a panel each).")
    var experiment: String?
    @Option(help: "comparison.json files of earlier --experiment runs, comma-separated: redraw their returns figure (a panel each) without evaluating.")
    var replot: String?
    @Option(help: "Fresh episodes per adaptation step (default: the training K; the paper's navigation test used 40).")
    var episodes: Int?
    @Option(name: .customLong("step-size"), parsing: .unconditional, help: "With --policy: first adaptation step size (later steps use half); default: the checkpoint's.")
    var stepSize: Float?
    @Flag(help: "With --experiment (or --replot of finished evaluations): store each method's swept step sizes in its checkpoint, random's in MAML's, and the evaluation as evaluation.json beside them (the demo adapts with them and quotes it).")
    var recordStepSizes = false

    func validate() throws {
        try Limits.check("--episodes", episodes, in: 1...10_000)
        if let stepSize { try Limits.checkPositive("--step-size", stepSize, atMost: 100) }
        for (option, list) in [("--experiment", experiment), ("--replot", replot)] {
            if let list, list.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("\(option) names nothing: give one or more names, comma-separated")
            }
        }
    }

    /// Meta-RL options given with a supervised config are refused rather than ignored.
    func requireUnused(by kind: ExperimentKind) throws {
        let given = [("--episodes", episodes != nil), ("--step-size", stepSize != nil), ("--record-step-sizes", recordStepSizes)]
        if let (option, _) = given.first(where: \.1) {
            throw ValidationError("\(option) applies to meta-RL experiments, not \(kind.rawValue)")
        }
    }
}
