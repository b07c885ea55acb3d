import ArgumentParser
import Cluster
import Foundation
import RL

/// `adapt bench meta-rl`: seconds per MAML-TRPO meta-iteration, split into sampling, building the
/// adaptation (each task's objective), and the TRPO meta-update, with the sampler's env steps per
/// second and the meta-update's matrix arithmetic and the rate it ran at.
struct BenchMetaRL: ParsableCommand, SharedAmongRanks {
    static let configuration = CommandConfiguration(
        commandName: "meta-rl",
        abstract: "Time MAML-TRPO meta-iterations (navigation, half-cheetah-vel and quadruped-dir at the paper's "
            + "batch sizes, half-cheetah-vel at pytorch-maml-rl's).")

    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Timed meta-iterations per experiment (after one untimed warm-up).") var iterations = 2
    @Option(help: "Experiment configs to time (repeat the option for several).")
    var configs = ["envs/experiments/navigation-2d.yaml", "envs/experiments/half-cheetah-vel.yaml", "envs/experiments/quadruped-dir.yaml",
                   "envs/experiments/half-cheetah-vel-pytorch-maml-rl.yaml"]
    @Option(help: "How the meta-update differentiates: \(MetaGradientEngine.allCases.map(\.rawValue).joined(separator: ", ")).")
    var engine = MetaGradientEngine.tape
    @Option(help: "Method to time: maml (MAML-TRPO), cavia (the same TRPO through a context's adaptation, on the autodiff engine; its configs' CAVIA keys apply) or rl2 (TRPO on trials through the GRU; its configs' RL² keys apply).")
    var algo = "maml"
    @Option(help: "Sampling threads per process (default: each config's `threads`); under mpirun, per rank.") var threads: Int?

    struct Figures: Encodable {
        var env: String
        var engine: String
        var metaBatchSize: Int
        var episodesPerTask: Int
        var hiddenSizes: [Int]
        var activation: String
        var envStepsPerIteration: Int
        var threads: Int
        /// MPI ranks sharing the meta-batch (each with `threads` threads); times are rank 0's.
        var ranks: Int
        var secondsPerIteration: Double
        var samplingSeconds: Double
        var adaptationSeconds: Double
        var metaUpdateSeconds: Double
        var envStepsPerSecond: Double
        /// Matrix arithmetic of adaptation and meta-update together, and its rate over their time.
        var metaUpdateGflop: Double
        var metaUpdateGflopPerSecond: Double
        /// CPU seconds per wall second over the timed iterations (2 = both cores busy throughout),
        /// of rank 0's process.
        var coresBusy: Double
        /// Bytes rank 0 received from the other ranks' per-task results per iteration (0 alone).
        var gatheredMegabytesPerIteration: Double
    }

    func validate() throws {
        try Limits.check("--iterations", iterations, in: 1...10_000)
        if let threads { try Limits.check("--threads", threads, in: 1...256) }
        guard ["maml", "cavia", "rl2"].contains(algo) else { throw ValidationError("--algo \(algo): bench meta-rl times maml, cavia or rl2") }
    }

    /// RL²'s iteration: sampling the trials, then the TRPO update through the recurrence.
    struct RL2Figures: Encodable {
        var env: String
        var metaBatchSize: Int
        var trialsPerTask: Int
        var episodesPerTrial: Int
        var recurrentHiddenSize: Int
        var envStepsPerIteration: Int
        var threads: Int
        var secondsPerIteration: Double
        var samplingSeconds: Double
        var updateSeconds: Double
        var envStepsPerSecond: Double
        var coresBusy: Double
    }

    func runRL2() throws {
        var report: [String: RL2Figures] = [:]
        for path in configs {
            let url = URL(fileURLWithPath: path)
            var config = try MetaRLConfig.load(url)
            config.iterations = iterations + 1
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let trainer = try RL2Trainer(config: config, runDirectory: directory, resume: false)
            let (logs, coresBusy) = try Self.timed { try trainer.train(onIteration: $0) }
            func mean(_ f: (RL2Trainer.IterationLog) -> Double) -> Double { logs.map(f).reduce(0, +) / Double(logs.count) }
            report[url.deletingPathExtension().lastPathComponent] = RL2Figures(
                env: config.env, metaBatchSize: config.metaBatchSize, trialsPerTask: config.episodesPerTask,
                episodesPerTrial: config.episodesPerTrial, recurrentHiddenSize: config.recurrentHiddenSize,
                envStepsPerIteration: Int(mean { Double($0.envSteps) }), threads: config.threads,
                secondsPerIteration: mean { $0.samplingSeconds + $0.updateSeconds }, samplingSeconds: mean(\.samplingSeconds),
                updateSeconds: mean(\.updateSeconds), envStepsPerSecond: mean { Double($0.envSteps) / $0.samplingSeconds }, coresBusy: coresBusy)
        }
        try Measure.print(report, json: json)
    }

    func run() throws {
        let cluster = Cluster.world
        if algo == "rl2" {
            try cluster.requireSingleRank("adapt bench meta-rl --algo rl2")
            return try runRL2()
        }
        var report: [String: Figures] = [:]
        for path in configs {
            let url = URL(fileURLWithPath: path)
            var config = try MetaRLConfig.load(url)
            config.iterations = iterations + 1
            if let threads { config.threads = threads }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-bench-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let trainer = try MetaRLTrainer(config: config, algorithm: algo == "cavia" ? .cavia : .maml, runDirectory: directory, resume: false,
                                            engine: engine, cluster: cluster)
            let gatheredBefore = cluster.bytesGathered
            let (logs, coresBusy) = try Self.timed { try trainer.train(onIteration: $0) }
            let gathered = Double(cluster.bytesGathered - gatheredBefore) / Double(iterations + 1) * 1e-6
            func mean(_ f: (MetaRLStepLog) -> Double) -> Double { logs.map(f).reduce(0, +) / Double(logs.count) }
            let flops = mean { Double($0.adaptationFlops + $0.metaUpdateFlops) }
            let updateSeconds = mean { $0.adaptationSeconds + $0.metaUpdateSeconds }
            report[url.deletingPathExtension().lastPathComponent] = Figures(
                env: config.env, engine: trainer.learner.engine.rawValue, metaBatchSize: config.metaBatchSize, episodesPerTask: config.episodesPerTask,
                hiddenSizes: config.hiddenSizes, activation: config.activation.rawValue,
                envStepsPerIteration: Int(mean { Double($0.envSteps) }), threads: config.threads, ranks: cluster.size,
                secondsPerIteration: mean { $0.samplingSeconds + $0.adaptationSeconds + $0.metaUpdateSeconds },
                samplingSeconds: mean(\.samplingSeconds), adaptationSeconds: mean(\.adaptationSeconds),
                metaUpdateSeconds: mean(\.metaUpdateSeconds), envStepsPerSecond: mean { Double($0.envSteps) / $0.samplingSeconds },
                metaUpdateGflop: flops * 1e-9, metaUpdateGflopPerSecond: flops * 1e-9 / updateSeconds, coresBusy: coresBusy,
                gatheredMegabytesPerIteration: gathered)
        }
        if cluster.isRoot { try Measure.print(report, json: json) }
    }

    /// Runs `train`, keeping the logs of every iteration after the first (the warm-up), and the
    /// CPU seconds per wall second over those iterations (2 = both cores busy throughout).
    static func timed<Log>(_ train: ((Int, Log) -> Void) throws -> Void) rethrows -> (logs: [Log], coresBusy: Double) {
        var logs: [Log] = []
        var start = (wall: 0.0, cpu: 0.0)
        try train { i, log in
            if i > 1 { logs.append(log) } else { start = (wallSeconds(), processCPUSeconds()) }
        }
        return (logs, (processCPUSeconds() - start.cpu) / (wallSeconds() - start.wall))
    }

    static func wallSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

    /// User and system time of every thread of this process.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

extension MetaGradientEngine: ExpressibleByArgument {}
