import ArgumentParser
import Foundation
import RL

/// `adapt bench meta-rl`: seconds per MAML-TRPO meta-iteration at the paper's batch sizes, split
/// into sampling, building the adaptation graph, and the TRPO meta-update.
struct BenchMetaRL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meta-rl", abstract: "Time MAML-TRPO meta-iterations on navigation-2d and half-cheetah-vel.")

    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Timed meta-iterations per experiment (after one untimed warm-up).") var iterations = 2
    @Option(help: "Experiment configs to time.") var configs = ["envs/navigation-2d.yaml", "envs/half-cheetah-vel.yaml"]

    struct Figures: Encodable {
        var env: String
        var metaBatchSize: Int
        var episodesPerTask: Int
        var envStepsPerIteration: Int
        var threads: Int
        var secondsPerIteration: Double
        var samplingSeconds: Double
        var adaptationSeconds: Double
        var metaUpdateSeconds: Double
    }

    func run() throws {
        var report: [String: Figures] = [:]
        for path in configs {
            var config = try MetaRLConfig.load(URL(fileURLWithPath: path))
            config.iterations = iterations + 1
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let trainer = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: directory, resume: false)
            var logs: [MetaStepLog] = []
            try trainer.train { i, log in if i > 1 { logs.append(log) } }
            func mean(_ f: (MetaStepLog) -> Double) -> Double { logs.map(f).reduce(0, +) / Double(logs.count) }
            report[config.env] = Figures(
                env: config.env, metaBatchSize: config.metaBatchSize, episodesPerTask: config.episodesPerTask,
                envStepsPerIteration: Int(mean { Double($0.envSteps) }), threads: config.threads,
                secondsPerIteration: mean { $0.samplingSeconds + $0.adaptationSeconds + $0.metaUpdateSeconds },
                samplingSeconds: mean(\.samplingSeconds), adaptationSeconds: mean(\.adaptationSeconds),
                metaUpdateSeconds: mean(\.metaUpdateSeconds))
        }
        try Measure.print(report, json: json)
    }
}
