import ArgumentParser
import Config
import Foundation
import RL

/// Meta-reinforcement learning from the CLI (MAML-TRPO on the navigation and locomotion envs).
enum MetaRLCommands {
    static func train(_ command: TrainCommand, configURL: URL) throws {
        var config = try MetaRLConfig.load(configURL)
        if let iterations = command.iterations { config.iterations = iterations }
        if let seed = command.seed { config.seed = seed }
        let algorithm = try MetaRLAlgorithm(parsing: command.algo ?? "maml")
        let name = configURL.deletingPathExtension().lastPathComponent
        let out = URL(fileURLWithPath: command.out ?? "runs/\(name)-\(algorithm.rawValue)")
        if !command.resume, FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint.safetensors").path) {
            throw ValidationError("\(out.path) already holds a run: pass --resume to continue it, or another --out")
        }
        let trainer = try MetaRLTrainer(config: config, algorithm: algorithm, runDirectory: out, resume: command.resume)
        trainer.checkpointMetadata["commit"] = GitCommit.current
        if trainer.iteration > 0 { print("resuming \(out.path) from iteration \(trainer.iteration)") }
        print("training \(algorithm.rawValue) on \(trainer.envName): \(config.iterations) iterations, "
              + "\(config.metaBatchSize) tasks × \(config.episodesPerTask) episodes, writing \(out.path)")
        var bar = StatusProgressBar(total: config.iterations, startingAt: trainer.iteration)
        try trainer.train { i, log in
            if command.quiet { return }
            let status = String(format: "return %.1f → %.1f  kl %.4f", log.returnBefore, log.returnAfter, log.kl)
                + (log.rejection != nil ? "  (update rejected)" : "")
            bar.update(i, status: status)
        }
        print("done: \(trainer.checkpointURL.path)")
    }

    static func evaluate(_ command: EvalCommand, configURL: URL?) throws {
        throw ValidationError("meta-RL evaluation is not available in this build yet")
    }
}

extension MetaRLAlgorithm {
    init(parsing text: String) throws {
        guard let value = MetaRLAlgorithm(rawValue: text) else {
            throw ValidationError("--algo \(text) is not a meta-RL algorithm (\(MetaRLAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")))")
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
