import Experiments
import ArgumentParser
import Config
import Foundation
import MetaLearning
import NN

/// Sinusoid regression from the CLI: `adapt train --config envs/experiments/sinusoid.yaml` and
/// `adapt eval --config envs/experiments/sinusoid.yaml` (every checkpoint in --policies side by side).
enum SinusoidCommands {
    static func train(_ command: TrainingOptions, configURL: URL) throws {
        var config = try SinusoidConfig.load(configURL)
        if let seed = command.seed { config.seed = seed }
        let algorithm = try SupervisedCommands.parseAlgorithm(command.algo, supported: SinusoidExperiment.methods) ?? config.algorithm
        if algorithm == .cavia && config.learner.learnInnerStepSize {
            throw ValidationError("\(configURL.path): key 'learner.learnInnerStepSize': Meta-SGD's per-parameter α applies to maml and fomaml, not cavia")
        }
        let iterations = command.iterations ?? config.iterations
        let folder = URL(fileURLWithPath: command.out ?? "runs/sinusoid-\(algorithm.rawValue)")
        var run = SinusoidExperiment.run(config, algorithm: algorithm, folder: folder)
        try RunFolder.prepare(folder, config: config.yaml(), resume: command.resume)
        if command.resume {
            try run.resume()
            SupervisedCommands.log("resuming \(folder.path) at iteration \(run.learner.iteration)")
        }
        var bar = ProgressBar(total: iterations, startingAt: run.learner.iteration, quiet: command.quiet)
        try run.train(until: iterations) { i, stepLog, _ in
            bar.update(i, status: String(format: "loss %.4f (pre %.4f)", stepLog.postAdaptationLoss, stepLog.preAdaptationLoss))
        }
        let policyURL = folder.appendingPathComponent("policy.safetensors")
        try run.savePolicy(to: policyURL)
        SupervisedCommands.log(String(format: "%@: %d iterations in %.1f s; final policy %@", algorithm.rawValue, run.learner.iteration, run.elapsed, policyURL.path))
        if run.validation != nil {
            SupervisedCommands.log(String(format: "best validation score %.4f at iteration %d: %@", run.bestScore, run.bestIteration, run.bestURL.path))
        }
    }

    static func evaluate(_ command: HeldOutOptions, configURL: URL) throws {
        let config = try SinusoidConfig.load(configURL)
        let folder = URL(fileURLWithPath: command.policies ?? "policies/sinusoid")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }
        guard !files.isEmpty else { throw ValidationError("no .safetensors policies in \(folder.path)") }
        let order = Method.allCases.map(\.rawValue)
        let sorted = files.sorted { a, b in
            let ia = order.firstIndex(of: String(a.dropLast(12))) ?? order.count, ib = order.firstIndex(of: String(b.dropLast(12))) ?? order.count
            return ia != ib ? ia < ib : a < b
        }
        let policies = try sorted.map { file in
            let url = folder.appendingPathComponent(file)
            let policy = try SinusoidExperiment.loadPolicy(url)
            var rng = Xoshiro256(seed: 0)
            try SinusoidExperiment.requireShapes(policy, of: config.shaped(for: policy).initialParameters(for: policy.algorithm, using: &rng),
                                                 path: url.path)
            return policy
        }
        let report = SinusoidExperiment.evaluate(config, policies: policies, tasks: command.tasks, steps: command.steps, seed: command.seed)
        let out = URL(fileURLWithPath: command.out ?? "runs/eval-sinusoid")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(report)
        try data.write(to: out.appendingPathComponent("results.json"), options: .atomic)
        let plots = try SinusoidPlots.write(config: config, report: report, policies: policies,
                                            policyFolder: folder, to: out)
        if command.json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(table(report))
            SupervisedCommands.log("results and plots in \(out.path): \(plots.joined(separator: ", "))")
        }
    }

    /// Query MSE after 0, 1, 5, 10 steps for each method and K, as a Markdown table.
    static func table(_ report: SinusoidExperiment.Report) -> String {
        let shown = [0, 1, 5, 10].filter { $0 <= report.steps }
        var lines = ["| method | K | α | " + shown.map { "\($0) step\($0 == 1 ? "" : "s")" }.joined(separator: " | ") + " |",
                     "|---|---|---|" + shown.map { _ in "---|" }.joined()]
        for m in report.methods {
            for k in m.mse.keys.sorted(by: { Int($0)! < Int($1)! }) {
                let c = m.mse[k]!
                lines.append("| \(m.method) | \(k) | \(m.stepSize[k].map { String(format: "%.3g", $0) } ?? "") | "
                             + shown.map { String(format: "%.3f ± %.3f", c.mean[$0], c.ci95[$0]) }.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }
}
