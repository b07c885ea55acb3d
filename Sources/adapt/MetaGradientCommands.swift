import ArgumentParser
import Experiments
import Foundation
import Graphics
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

    /// `adapt eval --config <meta-gradient config>`: every run of its env and task under
    /// `--policies` (default runs/), grouped by setting: the final returns over seeds with
    /// Student-t intervals, learned minus fixed seed by seed, and the curves.
    static func evaluate(_ command: HeldOutOptions, configURL: URL) throws {
        if command.tasks != nil || command.steps != nil || command.seed != nil {
            throw ValidationError("--tasks, --steps and --seed apply to held-out tasks; a meta-gradient run learns one task (its seeds are its runs)")
        }
        let config = try MetaGradientConfig.load(configURL)
        let comparison = try MetaGradientComparison.load(root: URL(fileURLWithPath: command.policies ?? "runs"), like: config)
        let name = configURL.deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: command.out ?? "runs/eval-\(name)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let figure = PlotPanels(plots(comparison))
        let png = folder.appendingPathComponent("metagradient.png").path, svg = folder.appendingPathComponent("metagradient.svg").path
        try figure.writePNG(to: png)
        try figure.writeSVG(to: svg)
        try MetaRLCommands.encodeJSON(comparison).write(to: folder.appendingPathComponent("comparison.json"), atomically: true, encoding: .utf8)
        if command.json { return print(try MetaRLCommands.encodeJSON(comparison)) }
        print(table(comparison))
        print("figure: \(png), \(svg)")
    }

    /// Final return per setting, and learned minus each fixed setting on the same seeds.
    static func table(_ c: MetaGradientComparison) -> String {
        let tail = max(1, Int(Double(c.iterations) * MetaGradientComparison.finalFraction))
        var lines = ["\(c.env) task \(c.task), \(c.iterations) iterations; final return = mean of the last \(tail) iterations, "
                     + "mean ± 95% CI over seeds (Student t)", "",
                     "| setting | seeds | final return | final γ | final λ |", "|---|---|---|---|---|"]
        for s in c.settings {
            lines.append(String(format: "| %@ | %d | %.1f ± %.1f | %.4f | %.3f |", s.label, s.seeds.count, s.finalMean, s.finalCI95,
                                s.gamma.last ?? 0, s.lambda.last ?? 0))
        }
        if !c.pairedDifferences.isEmpty {
            lines += ["", "| paired by seed | seeds | learned − fixed |", "|---|---|---|"]
            for (label, d) in c.pairedDifferences.sorted(by: { $0.key < $1.key }) {
                let (mean, ci) = Statistics.meanAndStudentInterval(d)
                lines.append(String(format: "| learned η − %@ | %d | %+.1f ± %.1f |", label, d.count, mean, ci))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Return against env steps for every setting (mean ± CI over seeds, smoothed over 10
    /// iterations), and the learned γ and λ against iterations.
    static func plots(_ c: MetaGradientComparison) -> [LinePlot] {
        func smoothed(_ x: [Double]) -> [Double] {
            x.indices.map { i in let window = x[max(0, i - 9)...i]; return window.reduce(0, +) / Double(window.count) }
        }
        // The raster font has no Greek letters.
        func ascii(_ label: String) -> String {
            label.replacingOccurrences(of: "γ", with: "gamma").replacingOccurrences(of: "λ", with: "lambda").replacingOccurrences(of: "η", with: "eta")
        }
        var returns = LinePlot(title: "\(c.env) \(c.task): return", xLabel: "env steps", yLabel: "average return")
        for s in c.settings {
            let y = smoothed(s.meanReturn), ci = smoothed(s.returnCI95)
            returns.add(.init(label: ascii(s.label), x: s.envSteps, y: y, lower: zip(y, ci).map { $0 - $1 }, upper: zip(y, ci).map { $0 + $1 },
                              dashed: !s.learned))
        }
        var gamma = LinePlot(title: "gamma (mean over seeds)", xLabel: "iteration", yLabel: "gamma")
        var lambda = LinePlot(title: "lambda (mean over seeds)", xLabel: "iteration", yLabel: "lambda")
        for s in c.settings {
            let x = s.gamma.indices.map { Double($0 + 1) }
            gamma.add(.init(label: ascii(s.label), x: x, y: s.gamma, dashed: !s.learned))
            lambda.add(.init(label: ascii(s.label), x: x, y: s.lambda, dashed: !s.learned))
        }
        return [returns, gamma, lambda]
    }
}
