import ArgumentParser
import Config
import Foundation

/// `adapt eval`: meta-test evaluation. With `--config` (supervised experiments) it evaluates the
/// checkpoints in `--policies`; with `--policy` one meta-RL checkpoint; with `--experiment` every
/// shipped method of a meta-RL experiment side by side.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate trained policies after 0…N adaptation steps on held-out tasks.")

    @Option(help: "Experiment config (supervised experiments).") var config: String?
    @Option(help: "Folder of checkpoints to compare (default policies/<experiment>).") var policies: String?
    @Option(help: "One meta-RL checkpoint.") var policy: String?
    @Option(help: "Meta-RL experiment(s), comma-separated: evaluate all their shipped methods (several: also one figure with a panel each).")
    var experiment: String?
    @Option(help: "comparison.json files of earlier --experiment runs, comma-separated: redraw their returns figure (a panel each) without evaluating.")
    var replot: String?
    @Option(help: "Held-out tasks.") var tasks: Int?
    @Option(help: "Adaptation steps.") var steps: Int?
    @Option(help: "Meta-RL: fresh episodes per adaptation step (default: the training K; the paper's navigation test used 40).")
    var episodes: Int?
    @Option(help: "Seed of the held-out tasks (disjoint from training seeds).") var seed: UInt64?
    @Option(name: .customLong("step-size"), parsing: .unconditional, help: "With --policy: first adaptation step size (later steps use half); default: the checkpoint's.")
    var stepSize: Float?
    @Option(help: "Folder for plots and results (default runs/eval-<experiment>).") var out: String?
    @Option(help: "Dataset folder for few-shot classification (Omniglot layout; default: the config's `data`).") var data: String?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "With --experiment: store each baseline's swept step size in its checkpoint, random's in MAML's (the demo adapts with them).")
    var recordStepSizes = false

    func validate() throws {
        let given = [config, policy, experiment, replot].compactMap { $0 }.count
        if given != 1 { throw ValidationError("give exactly one of --config, --policy, --experiment or --replot") }
        try Limits.check("--tasks", tasks, in: 1...100_000)
        try Limits.check("--steps", steps, in: 0...1000)
        try Limits.check("--episodes", episodes, in: 1...10_000)
        if let stepSize { try Limits.checkPositive("--step-size", stepSize, atMost: 100) }
        for (option, list) in [("--experiment", experiment), ("--replot", replot)] {
            if let list, list.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw ValidationError("\(option) names nothing: give one or more names, comma-separated")
            }
        }
    }

    func run() throws {
        if let config {
            let url = URL(fileURLWithPath: config)
            switch try experimentKind(of: url) {
            case "sinusoid", "omniglot": try SupervisedCommands.evaluate(self, configURL: url)
            case "meta-rl": try MetaRLCommands.evaluate(self, configURL: url)
            case let other: throw ValidationError("\(config): unknown experiment kind '\(other)'")
            }
        } else if let replot {
            try MetaRLCommands.replot(replot, out: out)
        } else {
            try MetaRLCommands.evaluate(self, configURL: nil)
        }
    }
}
