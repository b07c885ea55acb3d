import ArgumentParser
import Foundation
import RL

/// Meta-gradient RL from the CLI: `adapt train --config envs/experiments/<task>-metagradient.yaml`.
enum MetaGradientCommands {
    static func train(_ command: TrainingOptions, configURL: URL) throws {
        var config = try MetaGradientConfig.load(configURL)
        if let iterations = command.iterations { config.iterations = iterations }
        if let seed = command.seed { config.seed = seed }
        if let algo = command.algo, algo != "metagradient" {
            throw ValidationError("--algo \(algo): \(configURL.path) is a meta-gradient RL config (its only algorithm is metagradient)")
        }
        let name = configURL.deletingPathExtension().lastPathComponent
        let out = URL(fileURLWithPath: command.out ?? "runs/\(name)-seed\(config.seed)")
        try RunFolder.requireUsable(out, resume: command.resume)
        let trainer = try MetaGradientTrainer(config: config, runDirectory: out, resume: command.resume)
        trainer.checkpointMetadata["commit"] = GitCommit.current
        if trainer.iteration > 0 { print("resuming \(out.path) from iteration \(trainer.iteration)") }
        print("training \(config.learnReturn ? "meta-gradient (γ, λ learned)" : String(format: "fixed γ = %g, λ = %g", config.gamma, config.lambda)) "
              + "on \(config.env) task \(trainer.task): \(config.iterations) iterations × \(config.episodesPerIteration) episodes, writing \(out.path)")
        var bar = ProgressBar(total: config.iterations, startingAt: trainer.iteration, quiet: command.quiet)
        try trainer.train { i, log in
            bar.update(i, status: String(format: "return %.1f  γ %.4f  λ %.3f", log.returnMean, log.gamma, log.lambda))
        }
        print("done: \(trainer.checkpointURL.path)")
    }
}
