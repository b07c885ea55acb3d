import ArgumentParser
import Config
import Foundation
import LearnedOptimizer

/// The learned optimizer of Andrychowicz et al. 2016 from the CLI:
/// `adapt train --config envs/experiments/learned-optimizer-quadratic.yaml` (or `-mnist.yaml`)
/// meta-trains it into `runs/<config>-seed<seed>/`; `adapt eval --config <same>` compares the
/// shipped optimizer (policies/learned-optimizer/<problem>.safetensors) with tuned SGD, RMSprop
/// and Adam on held-out problems.
enum LearnedOptimizerCommands {
    static func train(_ command: TrainingOptions, configURL: URL) throws {
        var config = try LearnedOptimizerConfig.load(configURL)
        if let algo = command.algo, algo != "lstm" {
            throw ValidationError("--algo \(algo): \(configURL.path) is a learned-optimizer config (its only algorithm is lstm)")
        }
        if let iterations = command.iterations { config.iterations = iterations }
        if let seed = command.seed { config.seed = seed }
        try revalidate(config, configURL)
        let name = configURL.deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: command.out ?? "runs/\(name)-seed\(config.seed)")
        let problems = try problemSource(config, configURL)
        try RunFolder.prepare(folder, config: config.yaml(), resume: command.resume)
        var run = OptimizerTrainingRun(folder: folder, config: config, problems: problems)
        run.metadata = ["problem": config.problem.rawValue, "config": try config.yaml(), "commit": GitCommit.current]
        if command.resume {
            try run.resume()
            SupervisedCommands.log("resuming \(folder.path) at trajectory \(run.trainer.iteration)")
        }
        SupervisedCommands.log("meta-training the LSTM optimizer on \(config.problem.rawValue): \(config.iterations) trajectories of "
                               + "\(config.unrollSteps) steps (truncated every \(config.truncation)), writing \(folder.path)")
        var bar = ProgressBar(total: config.iterations, startingAt: run.trainer.iteration, quiet: command.quiet)
        try run.train(until: config.iterations) { i, log in
            bar.update(i, status: String(format: "meta-loss %.4g  final %.4g%@", log.metaLoss, log.finalLoss,
                                         log.skippedWindows > 0 ? "  (non-finite: skipped)" : ""))
        }
        SupervisedCommands.log(String(format: "done: %d trajectories in %.1f s; optimizer %@", run.trainer.iteration, run.elapsed, run.optimizerURL.path))
    }

    static func evaluate(_ command: HeldOutOptions, configURL: URL) throws {
        var config = try LearnedOptimizerConfig.load(configURL)
        if let tasks = command.tasks { config.evaluation.testRuns = tasks }
        if let seed = command.seed { config.evaluation.testSeed = seed }
        if let steps = command.steps {
            guard steps >= 1 else { throw ValidationError("--steps 0: a learned-optimizer evaluation needs at least one step") }
            config.evaluation.steps = steps
            config.evaluation.horizons = config.evaluation.horizons.filter { $0 <= steps }
            if config.evaluation.horizons.isEmpty { config.evaluation.horizons = [steps] }
        }
        try revalidate(config, configURL)
        let file = try optimizerFile(command.policies, problem: config.problem)
        let (phi, metadata) = try OptimizerFile.load(file, like: config.optimizer)
        if let trainedOn = metadata["problem"], trainedOn != config.problem.rawValue, !command.json {
            SupervisedCommands.log("note: \(file.path) was meta-trained on \(trainedOn), evaluated here on \(config.problem.rawValue)")
        }
        let comparison = Comparison.run(config, problems: try problemSource(config, configURL), phi: phi, optimizerFile: file.path) { line in
            if !command.json { SupervisedCommands.log(line) }
        }
        let name = configURL.deletingPathExtension().lastPathComponent
        let out = URL(fileURLWithPath: command.out ?? "runs/eval-\(name)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Compact: thousands of per-step numbers, one per line, would make megabytes.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(comparison), as: UTF8.self)
        try json.write(to: out.appendingPathComponent("comparison.json"), atomically: true, encoding: .utf8)
        let plots = try comparison.writePlots(to: out)
        if command.json { return print(json) }
        print(comparison.table())
        print("baselines' learning rates: \(comparison.tuning)")
        SupervisedCommands.log("results and plots in \(out.path): comparison.json, \(plots.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))")
    }

    /// The problems, a missing or malformed dataset reported against the config key that names it.
    static func problemSource(_ config: LearnedOptimizerConfig, _ url: URL) throws -> ProblemSource {
        do { return try ProblemSource(config) } catch let error as IDXArray.Error {
            throw ValidationError("\(url.path): key 'mnist.data': \(error) (Debian: apt-get install dataset-fashion-mnist)")
        }
    }

    /// The config with the command's overrides checked again, an error naming the file and key.
    static func revalidate(_ config: LearnedOptimizerConfig, _ url: URL) throws {
        do { try config.validate() } catch let error as ConfigError {
            throw ValidationError("with the options given, \(url.path): key '\(error.key)': \(error.message)")
        }
    }

    /// `--policies` as a file, or a folder holding `<problem>.safetensors` (default policies/learned-optimizer).
    static func optimizerFile(_ option: String?, problem: LearnedOptimizerConfig.Problem) throws -> URL {
        let given = URL(fileURLWithPath: option ?? "policies/learned-optimizer")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: given.path, isDirectory: &isFolder) else {
            throw ValidationError("no optimizer at \(given.path) (train one with adapt train, or pass --policies)")
        }
        let file = isFolder.boolValue ? given.appendingPathComponent("\(problem.rawValue).safetensors") : given
        guard FileManager.default.fileExists(atPath: file.path) else { throw ValidationError("no optimizer file \(file.path)") }
        return file
    }
}
