import Experiments
import ArgumentParser
import Envs
import Foundation
import Graphics
import Render
import RL

/// `adapt demo`: meta-learning in one command. Loads the shipped policies of an experiment, draws
/// a new task, adapts MAML and the baselines by one and two policy-gradient steps on fresh
/// episodes, prints their returns, then plays MAML before and after adaptation (and writes a GIF).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Adapt the shipped policies to a new task and show MAML before and after.")

    @Option(name: [.customLong("experiment"), .customLong("env")],
            help: "Meta-RL experiment, as in `adapt eval --experiment` (experiments are named after their env).")
    var experiment = "half-cheetah-vel"
    @Option(help: "Seed of the new task and its episodes.") var seed: UInt64 = 2017
    @Option(help: "Adaptation steps.") var steps = 2
    @Flag(name: .customLong("no-play"), help: "Do not play the rollouts in the terminal.") var noPlay = false
    @Option(help: "Folder of the experiment's checkpoints, as in `adapt eval` (default policies/<experiment>).") var policies: String?
    @Option(help: "Where the GIF goes.") var out = "runs/demo"

    func validate() throws {
        try Limits.check("--steps", steps, in: 0...20)
    }

    func run() throws {
        let folder = URL(fileURLWithPath: policies ?? "policies/\(experiment)")
        guard let maml = try PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("maml.safetensors")) else {
            throw ValidationError("no shipped MAML policy in \(folder.path) (experiments: \(shippedExperiments().joined(separator: ", ")))")
        }
        var rng = Xoshiro256(seed: seed)
        let task = try EnvRegistry.spec(maml.env).tasks.sample(using: &rng)
        print("\(experiment): new task — \(task); \(maml.config.episodesPerTask) fresh episodes per adaptation step\n")

        var rows: [(String, [Double], String)] = []
        var mamlPath: [Parameters] = []
        for method in [Method.maml, .pretrained, .random, .oracle] {
            guard let checkpoint = try method == .random ? maml.randomBaseline(seed: seed)
                : PolicyCheckpoint.readIfPresent(folder.appendingPathComponent("\(method.rawValue).safetensors")) else { continue }
            let adaptationSteps = method.adaptsAtTest ? steps : 0
            let rollout = try checkpoint.adapt(to: task, steps: adaptationSteps, seed: seed)
            if method == .maml { mamlPath = rollout.parameters }
            let greedy = try GreedyEpisode(checkpoint, parameters: rollout.adapted, task: task, seed: seed)
            rows.append((method.rawValue, rollout.adaptation.map(\.episodes.meanReturn) + [rollout.returnAfter], outcome(greedy, task: task)))
        }
        printTable(rows)
        try show(maml, path: mamlPath, task: task)
    }

    private func outcome(_ episode: GreedyEpisode, task: Task) -> String {
        switch task {
        case let .goalVelocity(v): String(format: "velocity %.2f m/s (goal %.2f)", episode.meanForwardVelocity, v)
        case let .direction(d): String(format: "velocity %.2f m/s (direction %+.0f)", episode.meanForwardVelocity, d)
        case .goalPosition, .goalX: String(format: "final distance to goal %.3f", episode.finalDistance)
        }
    }

    private func printTable(_ rows: [(String, [Double], String)]) {
        let header = (0...steps).map { "after \($0)" }.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined(separator: " ")
        print("method      average return: " + header + "  mean-action episode after adaptation")
        for (method, returns, outcome) in rows {
            let cells = (0...steps).map { s in s < returns.count ? String(format: "%10.1f", returns[s]) : String(repeating: " ", count: 10) }
            print(method.padding(toLength: 28, withPad: " ", startingAt: 0) + cells.joined(separator: " ") + "  " + outcome)
        }
        print("")
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
