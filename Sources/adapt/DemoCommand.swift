import Experiments
import ArgumentParser
import Config
import Envs
import Foundation
import Graphics
import Render
import RL
import Parallel

/// `adapt demo`: meta-learning in one command. Loads the shipped policies of an experiment, draws
/// a few new tasks, adapts MAML and the baselines to each by one and two policy-gradient steps on
/// fresh episodes, prints the first task's returns and every method's mean over the tasks, puts
/// them beside the full evaluation's paired difference, then plays MAML on the first task before
/// and after adaptation (and writes a GIF).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Adapt the shipped policies to new tasks and show MAML before and after.")

    @Option(name: [.customLong("experiment"), .customLong("env")],
            help: "Meta-RL experiment, as in `adapt eval --experiment` (experiments are named after their env).")
    var experiment = "quadruped-dir"
    @Option(help: "Seed of the new tasks and their episodes.") var seed: UInt64 = 2017
    @Option(help: "New tasks to adapt to (the first one is shown).") var tasks = 5
    @Option(help: "Adaptation steps.") var steps = 2
    @Flag(name: .customLong("no-play"), help: "Do not play the rollouts in the terminal.") var noPlay = false
    @Flag(help: "Print the returns as one JSON object (no table, no playing, no GIF).") var json = false
    @Option(help: "Folder of the experiment's checkpoints, as in `adapt eval` (default policies/<experiment>).") var policies: String?
    @Option(help: "Where the GIF goes.") var out = "runs/demo"

    func validate() throws {
        try Limits.check("--steps", steps, in: 0...20)
        try Limits.check("--tasks", tasks, in: 1...1000)
    }

    /// One method's returns on every task: `returns[task][step]`, and the first task's mean-action episode.
    struct MethodResult: Encodable {
        let method: Method
        let returns: [[Double]]
        var mean: [Double] = []
        var ci95: [Double] = []
    }

    struct Report: Encodable {
        let experiment: String
        let seed: UInt64
        let tasks: [String]
        let methods: [MethodResult]
        /// Tasks on which MAML's return after one step beats pretrained's.
        let mamlAheadAfterOneStep: Int?
    }

    func run() throws {
        let config = URL(fileURLWithPath: "envs/experiments/\(experiment).yaml")
        if FileManager.default.fileExists(atPath: config.path), let kind = try? ExperimentKind(of: config), kind != .metaRL {
            throw ValidationError("\(experiment) is a supervised experiment; the demo adapts meta-RL policies "
                                  + "(see adapt eval --config \(config.relativePath))")
        }
        let folder = URL(fileURLWithPath: policies ?? "policies/\(experiment)")
        guard let maml = try PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("maml.safetensors")) else {
            throw ValidationError("no shipped MAML policy in \(folder.path) (experiments: \(shippedExperiments().joined(separator: ", ")))")
        }
        var rng = Xoshiro256(seed: seed)
        let spec = try EnvRegistry.spec(maml.env)
        let drawn = (0..<tasks).map { _ in spec.tasks.sample(using: &rng) }
        var checkpoints: [(Method, PolicyCheckpoint)] = []
        for method in [Method.maml, .cavia, .pretrained, .random, .oracle] {
            if let checkpoint = try method == .random ? maml.randomBaseline(seed: seed)
                : PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("\(method.rawValue).safetensors")) {
                checkpoints.append((method, checkpoint))
            }
        }
        if !json {
            print("\(experiment): \(tasks) new task\(tasks == 1 ? "" : "s") (seed \(seed)), "
                  + "\(maml.config.episodesPerTask) fresh episodes per adaptation step\n")
        }
        // Every (method, task) adaptation is independent: spread them over the cores.
        let jobs = checkpoints.indices.flatMap { m in drawn.indices.map { (m, $0) } }
        let rollouts = try parallelMap(jobs.count, workers: maml.config.threads) { j, _ in
            let (method, checkpoint) = checkpoints[jobs[j].0]
            return try checkpoint.adapt(to: drawn[jobs[j].1], steps: method.adaptsAtTest ? steps : 0, seed: seed &+ UInt64(jobs[j].1))
        }
        let results = checkpoints.indices.map { m in
            var result = MethodResult(method: checkpoints[m].0, returns: drawn.indices.map { t in
                let rollout = rollouts[m * drawn.count + t]
                return rollout.adaptation.map(\.episodes.meanReturn) + [rollout.returnAfter]
            })
            for s in 0..<(result.returns.first?.count ?? 0) {
                (result.mean, result.ci95) = (result.mean + [0], result.ci95 + [0])
                (result.mean[s], result.ci95[s]) = Statistics.meanAndInterval(result.returns.map { $0[s] })
            }
            return result
        }
        let ahead = aheadCount(results)
        let report = Report(experiment: experiment, seed: seed, tasks: drawn.map { "\($0)" }, methods: results, mamlAheadAfterOneStep: ahead)
        if json { return try Measure.print(report, json: true) }

        let mamlPath = rollouts[0].parameters
        print("the first task, \(drawn[0]):")
        try printFirstTask(results, checkpoints: checkpoints, rollouts: rollouts, task: drawn[0])
        if tasks > 1 { printMeans(results, ahead: ahead) }
        if let context = try evaluationContext(folder) { print(context + "\n") }
        try show(maml, path: mamlPath, task: drawn[0])
    }

    private func aheadCount(_ results: [MethodResult]) -> Int? {
        guard steps >= 1, let maml = results.first(where: { $0.method == .maml }),
              let pretrained = results.first(where: { $0.method == .pretrained }) else { return nil }
        return zip(maml.returns, pretrained.returns).filter { $0[1] > $1[1] }.count
    }

    private func printFirstTask(_ results: [MethodResult], checkpoints: [(Method, PolicyCheckpoint)], rollouts: [TaskRollout], task: Task) throws {
        let header = (0...steps).map { "after \($0)".padding(toLength: 10, withPad: " ", startingAt: 0) }.joined(separator: " ")
        print("method      average return: " + header + "  mean-action episode after adaptation")
        for (m, result) in results.enumerated() {
            let rollout = rollouts[m * tasks]
            let greedy = try GreedyEpisode(checkpoints[m].1, parameters: rollout.adapted, task: task, seed: seed)
            let cells = (0...steps).map { s in s < result.returns[0].count ? String(format: "%10.1f", result.returns[0][s]) : String(repeating: " ", count: 10) }
            print(result.method.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0) + cells.joined(separator: " ") + "  " + outcome(greedy, task: task))
        }
        print("")
    }

    private func printMeans(_ results: [MethodResult], ahead: Int?) {
        print("all \(tasks) tasks, mean ± 95% CI:")
        let header = (0...steps).map { "after \($0)".padding(toLength: 16, withPad: " ", startingAt: 0) }.joined(separator: " ")
        print("method      average return: " + header)
        for result in results {
            let cells = (0...steps).map { s in
                s < result.mean.count ? String(format: "%7.1f ± %-6.1f", result.mean[s], result.ci95[s]) : String(repeating: " ", count: 16)
            }
            print(result.method.rawValue.padding(toLength: 28, withPad: " ", startingAt: 0) + cells.joined(separator: " "))
        }
        if let ahead { print("MAML ahead of pretrained after one step on \(ahead) of \(tasks) tasks") }
        print("")
    }

    /// The full evaluation shipped beside the policies (`adapt eval --experiment`'s comparison.json),
    /// so this handful of tasks is read in context.
    private func evaluationContext(_ folder: URL) throws -> String? {
        let url = folder.appendingPathComponent("evaluation.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let evaluation = try? JSONDecoder().decode(ComparisonReport.self, from: Data(contentsOf: url)) else {
            throw ValidationError("\(url.path) is not an evaluation written by adapt eval --record-step-sizes (remove it, or re-record it)")
        }
        guard let d = evaluation.pairedDifferences?.first(where: { $0.minuend == .maml && $0.method == .pretrained }), d.meanDifference.count > 1 else { return nil }
        let later = (2..<d.meanDifference.count).map { String(format: "%+.1f ± %.1f after %d", d.meanDifference[$0], d.ci95[$0], $0) }
        return String(format: "the full evaluation (adapt eval --experiment %@: %d held-out tasks, %d episodes per step, seed %llu, "
                      + "paired task by task): MAML − pretrained %+.1f ± %.1f after one step", experiment, evaluation.tasks,
                      evaluation.episodesPerTask, evaluation.seed, d.meanDifference[1], d.ci95[1]) + (later.isEmpty ? "" : ", " + later.joined(separator: ", "))
    }

    private func outcome(_ episode: GreedyEpisode, task: Task) -> String {
        switch task {
        case let .goalVelocity(v): String(format: "velocity %.2f m/s (goal %.2f)", episode.meanForwardVelocity, v)
        case let .direction(d): String(format: "velocity %.2f m/s (direction %+.0f)", episode.meanForwardVelocity, d)
        case .goalPosition, .goalX: String(format: "final distance to goal %.3f", episode.finalDistance)
        }
    }

    /// MAML before and after adaptation: played in the terminal and written as one GIF.
    private func show(_ maml: PolicyCheckpoint, path: [Parameters], task: Task) throws {
        let env = try maml.makeEnvironment(task: task)
        let raster = SceneRasterizer(width: 480, height: 270)
        var gif = GIFWriter(width: 480, height: 270, delayCentiseconds: 5)
        let renderer = ASCIIRenderer.fittingTerminal()
        for (label, parameters) in [("before adaptation", path.first!), ("after \(path.count - 1) steps", path.last!)] {
            var player = noPlay ? nil : TerminalPlayer(interval: 0.025)
            _ = try GreedyEpisode(maml, parameters: parameters, task: task, seed: seed) { env in
                var scene = env.scene()
                scene.status.insert(("MAML", label), at: 0)
                gif.add(raster.draw(scene))
                player?.show(renderer.render(scene))
            }
            player?.finish()
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let gifPath = "\(out)/\(env.name).gif"
        try gif.write(to: gifPath)
        print("wrote \(gifPath) (MAML before, then after adaptation; \(gif.frames.count) frames)")
    }

    private func shippedExperiments() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "policies")) ?? []).filter {
            FileManager.default.fileExists(atPath: "policies/\($0)/maml.safetensors")
        }.sorted()
    }
}
