import Experiments
import ArgumentParser
import Cluster
import Config
import Foundation
import Graphics
import RL
import NN
import Synchronization

/// Meta-reinforcement learning from the CLI (MAML-TRPO on the navigation and locomotion envs).
enum MetaRLCommands {
    static func train(_ command: TrainingOptions, configURL: URL) throws {
        var config = try MetaRLConfig.load(configURL)
        if let iterations = command.iterations { config.iterations = iterations }
        if let seed = command.seed { config.seed = seed }
        let algorithm = try Method(parsing: command.algo ?? "maml", supported: MetaRLTrainer.methods + [.rl2])
        let name = configURL.deletingPathExtension().lastPathComponent
        let out = URL(fileURLWithPath: command.out ?? "runs/\(name)-\(algorithm.rawValue)")
        // Under MPI rank 0 alone owns the run folder (the others may not even see it).
        let cluster = Cluster.world
        if cluster.isRoot { try RunFolder.requireUsable(out, resume: command.resume) }
        if algorithm == .rl2 {
            try cluster.requireSingleRank("RL² training")
            return try trainRL2(config, out: out, command)
        }
        let trainer = try MetaRLTrainer(config: config, algorithm: algorithm, runDirectory: out, resume: command.resume, cluster: cluster)
        trainer.checkpointMetadata["commit"] = GitCommit.current
        if cluster.size > 1 { trainer.checkpointMetadata["mpi_ranks"] = String(cluster.size) }
        trainer.rolloutImage = RolloutFilmstrip.maker(for: trainer)
        guard cluster.isRoot else { return try trainer.train() }
        if trainer.iteration > 0 { print("resuming \(out.path) from iteration \(trainer.iteration)") }
        print("training \(algorithm.rawValue) on \(trainer.envName): \(config.iterations) iterations, "
              + "\(config.metaBatchSize) tasks × \(config.episodesPerTask) episodes, writing \(out.path)"
              + (cluster.size > 1 ? " (\(cluster.size) MPI ranks share the tasks)" : ""))
        var bar = ProgressBar(total: config.iterations, startingAt: trainer.iteration, quiet: command.quiet)
        try trainer.train { i, log in
            let status = String(format: "return %.1f → %.1f  kl %.4f", log.returnBefore, log.returnAfter, log.kl)
                + (log.rejection != nil ? "  (update rejected)" : "")
            bar.update(i, status: status)
        }
        print("done: \(trainer.checkpointURL.path)")
    }

    /// RL² on the same experiment: TRPO on trials of `episodesPerTrial` episodes through a GRU policy.
    static func trainRL2(_ config: MetaRLConfig, out: URL, _ command: TrainingOptions) throws {
        let trainer = try RL2Trainer(config: config, runDirectory: out, resume: command.resume)
        trainer.checkpointMetadata["commit"] = GitCommit.current
        if trainer.iteration > 0 { print("resuming \(out.path) from iteration \(trainer.iteration)") }
        print("training rl2 on \(config.env): \(config.iterations) iterations, \(config.metaBatchSize) tasks × \(config.episodesPerTask) trials "
              + "of \(config.episodesPerTrial) episodes, writing \(out.path)")
        var bar = ProgressBar(total: config.iterations, startingAt: trainer.iteration, quiet: command.quiet)
        try trainer.train { i, log in
            bar.update(i, status: "returns by episode " + log.returnByEpisode.map { String(format: "%.1f", $0) }.joined(separator: " → ")
                       + String(format: "  kl %.4f", log.update.kl) + (log.update.rejection != nil ? "  (update rejected)" : ""))
        }
        print("done: \(trainer.checkpointURL.path)")
    }

    /// An RL² checkpoint: the mean return in each episode of a trial on the held-out tasks.
    static func evaluateRL2(_ path: String, _ command: HeldOutOptions, _ metaRL: MetaRLEvalOptions) throws {
        if command.steps != nil || metaRL.stepSize != nil {
            throw ValidationError("--steps and --step-size apply to gradient adaptation; an RL² policy adapts within a trial of \(path)'s episodesPerTrial episodes")
        }
        let checkpoint = try RecurrentPolicyCheckpoint.read(URL(fileURLWithPath: path))
        var settings = EvaluationSettings()
        if let tasks = command.tasks { settings.taskCount = tasks }
        if let seed = command.seed { settings.seed = seed }
        settings.episodesPerTask = metaRL.episodes ?? checkpoint.config.episodesPerTask
        settings.workers = checkpoint.config.threads
        let bar = SharedProgressBar(total: settings.taskCount, quiet: command.json)
        let done = Atomic<Int>(0)
        let (curve, _) = try checkpoint.evaluateTrials(settings: settings) { [total = settings.taskCount] in
            bar.update(done.add(1, ordering: .relaxed).newValue, total: total, status: "held-out tasks")
        }
        struct Report: Encodable { let checkpoint: String; let env: String; let algorithm = "rl2"; let iteration: Int
                                   let settings: EvaluationSettings; let returnByEpisode: AdaptationCurve }
        if command.json {
            return try Measure.print(Report(checkpoint: path, env: checkpoint.env, iteration: checkpoint.iteration,
                                            settings: settings, returnByEpisode: curve), json: true)
        }
        print("rl2 on \(checkpoint.env), \(settings.taskCount) held-out tasks (seed \(settings.seed)), \(settings.episodesPerTask) trials per task")
        for (e, (m, ci)) in zip(curve.meanReturn, curve.ci95).enumerated() {
            print(String(format: "  episode %d of the trial: %9.2f ± %.2f", e + 1, m, ci))
        }
    }

    static func evaluate(_ command: HeldOutOptions, _ metaRL: MetaRLEvalOptions) throws {
        if let experiment = metaRL.experiment { return try compare(experiment, command, metaRL) }
        try Cluster.world.requireSingleRank("adapt eval (but --experiment)")
        if let replot = metaRL.replot { return try self.replot(replot, out: command.out, record: metaRL.recordStepSizes) }
        guard let path = metaRL.policy else {
            throw ValidationError("meta-RL evaluation takes --policy <checkpoint> or --experiment <name>")
        }
        if try Safetensors.read(URL(fileURLWithPath: path)).metadata["format"] == RecurrentPolicyCheckpoint.format {
            return try evaluateRL2(path, command, metaRL)
        }
        let checkpoint = try PolicyCheckpoint.read(URL(fileURLWithPath: path))
        var settings = EvaluationSettings()
        if let tasks = command.tasks { settings.taskCount = tasks }
        if let steps = command.steps { settings.adaptationSteps = steps }
        if let seed = command.seed { settings.seed = seed }
        settings.episodesPerTask = metaRL.episodes ?? checkpoint.config.episodesPerTask
        settings.stepSizes = metaRL.stepSize.map(PolicyGradientAdaptation.halvingSchedule) ?? checkpoint.testStepSizes
        settings.workers = checkpoint.config.threads
        let bar = SharedProgressBar(total: settings.taskCount, quiet: command.json)
        let done = Atomic<Int>(0)
        let (curve, _, _) = try evaluateAdaptation(policy: checkpoint.policy, parameters: checkpoint.parameters, env: checkpoint.env,
                                                envConfig: checkpoint.config.envConfig, settings: settings,
                                                gamma: checkpoint.config.gamma, lambda: checkpoint.config.gaeLambda,
                                                onTaskDone: { [total = settings.taskCount] in bar.update(done.add(1, ordering: .relaxed).newValue, total: total, status: "held-out tasks") })
        let report = EvaluationReport(checkpoint: path, env: checkpoint.env, algorithm: checkpoint.algorithm,
                                      iteration: checkpoint.iteration, settings: settings, curve: curve)
        if command.json {
            print(try report.json())
        } else {
            print("\(checkpoint.algorithm) on \(checkpoint.env), \(settings.taskCount) held-out tasks (seed \(settings.seed)), "
                  + "\(settings.episodesPerTask) episodes per step")
            for (s, (m, ci)) in zip(curve.steps, zip(curve.meanReturn, curve.ci95)) {
                print(String(format: "  after %d step%@: %9.2f ± %.2f", s, s == 1 ? " " : "s", m, ci))
            }
        }
    }
}

extension MetaRLCommands {
    /// `adapt eval --experiment NAME[,NAME…]`: every method in policies/NAME on the same held-out
    /// tasks; with several experiments also one figure with a panel per experiment (Figure 5).
    static func compare(_ experiments: String, _ command: HeldOutOptions, _ metaRL: MetaRLEvalOptions) throws {
        let names = experiments.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        if names.count > 1, command.policies != nil {
            throw ValidationError("--policies names one experiment's folder; give one --experiment with it")
        }
        var reports: [ComparisonReport] = []
        for name in names {
            reports.append(try compareOne(name, command, metaRL, out: names.count == 1 ? command.out : command.out.map { "\($0)/\(name)" }))
        }
        guard Cluster.world.isRoot else { return }
        if names.count > 1 {
            let figure = try writePanels(reports, out: command.out)
            if !command.json { print("figure: \(figure)") }
        }
        if command.json { print(try reports.count == 1 ? encodeJSON(reports[0]) : encodeJSON(reports)) }
    }

    /// `adapt eval --replot a.json,b.json`: the returns figure of earlier comparisons, so a figure
    /// can be redrawn or recombined without hours of evaluation.
    /// With `record`, also records each evaluation beside its policies, as `--record-step-sizes`
    /// does after evaluating.
    static func replot(_ files: String, out: String?, record: Bool = false) throws {
        let reports = try files.split(separator: ",").map { name -> ComparisonReport in
            let path = String(name).trimmingCharacters(in: .whitespaces)
            do { return try JSONDecoder().decode(ComparisonReport.self, from: Data(contentsOf: URL(fileURLWithPath: path))) }
            catch { throw ValidationError("\(path): not a comparison.json written by adapt eval --experiment (\(error))") }
        }
        if record {
            for report in reports { try self.record(report, in: URL(fileURLWithPath: "policies/\(report.experiment)")) }
        }
        print("figure: \(try writePanels(reports, out: out))")
    }

    /// Stores what an evaluation found beside the policies it evaluated: each adapted method's
    /// swept step sizes in its checkpoint (random's in the MAML checkpoint it is drawn from), and
    /// the evaluation itself as evaluation.json (the demo quotes its paired difference).
    static func record(_ report: ComparisonReport, in folder: URL) throws {
        for method in report.methods where method.sweep != nil || method.laterStepSweep != nil {
            let owner = method.method == .random ? Method.maml : method.method
            let url = folder.appendingPathComponent("\(owner.rawValue).safetensors")
            var checkpoint = try PolicyCheckpoint.read(url)
            if method.method == .random { checkpoint.randomBaselineStepSizes = method.stepSizes }
            else { checkpoint.testStepSizes = method.stepSizes }
            try checkpoint.write(to: url)
        }
        try encodeJSON(report).write(to: folder.appendingPathComponent("evaluation.json"), atomically: true, encoding: .utf8)
    }

    /// returns.png and returns.svg with a panel per experiment in `out` (default runs/eval-panels).
    static func writePanels(_ reports: [ComparisonReport], out: String?) throws -> String {
        let folder = URL(fileURLWithPath: out ?? "runs/eval-panels")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let figure = PlotPanels(reports.map(\.returnsPlot))
        let png = folder.appendingPathComponent("returns.png").path, svg = folder.appendingPathComponent("returns.svg").path
        try figure.writePNG(to: png)
        try figure.writeSVG(to: svg)
        return "\(png), \(svg)"
    }

    /// One experiment: evaluates, optionally records the swept step sizes, writes plots and
    /// comparison.json into `out` (default runs/eval-NAME) and prints the table.
    static func compareOne(_ experiment: String, _ command: HeldOutOptions, _ metaRL: MetaRLEvalOptions, out: String?) throws -> ComparisonReport {
        let folder = URL(fileURLWithPath: command.policies ?? "policies/\(experiment)")
        var settings = EvaluationSettings()
        if let tasks = command.tasks { settings.taskCount = tasks }
        if let steps = command.steps { settings.adaptationSteps = steps }
        if let seed = command.seed { settings.seed = seed }
        // Under MPI every rank evaluates its share of each method's tasks; rank 0 reports.
        let cluster = Cluster.world
        let bar = SharedProgressBar(total: 1, quiet: command.json || !cluster.isRoot)
        let comparison = try Comparison.run(experiment: experiment, folder: folder, settings: settings, episodes: metaRL.episodes, cluster: cluster) {
            method, done, total in bar.update(done, total: (total + cluster.size - 1) / cluster.size,
                                              status: "\(experiment): \(method.rawValue) (step-size sweeps, then held-out tasks)")
        }
        let report = ComparisonReport(comparison)
        guard cluster.isRoot else { return report }
        if metaRL.recordStepSizes { try record(report, in: folder) }
        let folderOut = URL(fileURLWithPath: out ?? "runs/eval-\(experiment)")
        let plots = try report.writePlots(comparison, to: folderOut)
        try encodeJSON(report).write(to: folderOut.appendingPathComponent("comparison.json"), atomically: true, encoding: .utf8)
        if !command.json {
            print(report.table)
            print()
            print(report.differenceTable)
            print("plots: " + plots.joined(separator: ", "))
        }
        return report
    }

    static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Method {
    /// `--algo` text as one of `supported`.
    init(parsing text: String, supported: [Method]) throws {
        guard let value = Method(rawValue: text), supported.contains(value) else {
            throw ValidationError("--algo \(text): this experiment trains \(Method.names(supported))")
        }
        self = value
    }
}

/// The commit of the working tree, recorded in checkpoints ("unknown" outside a git checkout).
enum GitCommit {
    static var current: String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return process.terminationStatus == 0 ? text.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
    }
}

/// The JSON `adapt eval --policy … --json` prints.
struct EvaluationReport: Encodable {
    var checkpoint: String
    var env: String
    var algorithm: String
    var iteration: Int
    var settings: EvaluationSettings
    var curve: AdaptationCurve

    enum CodingKeys: String, CodingKey { case checkpoint, env, algorithm, iteration, tasks, episodesPerTask, stepSizes, seed, steps, meanReturn, ci95 }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(checkpoint, forKey: .checkpoint)
        try c.encode(env, forKey: .env)
        try c.encode(algorithm, forKey: .algorithm)
        try c.encode(iteration, forKey: .iteration)
        try c.encode(settings.taskCount, forKey: .tasks)
        try c.encode(settings.episodesPerTask, forKey: .episodesPerTask)
        try c.encode(settings.stepSizes, forKey: .stepSizes)
        try c.encode(settings.seed, forKey: .seed)
        try c.encode(curve.steps, forKey: .steps)
        try c.encode(curve.meanReturn, forKey: .meanReturn)
        try c.encode(curve.ci95, forKey: .ci95)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
