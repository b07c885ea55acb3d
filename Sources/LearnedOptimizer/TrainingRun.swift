import Experiments
import Foundation
import NN

/// Meta-training in a run folder: `progress.csv` (one row per trajectory), `checkpoint.safetensors`
/// (full state every `checkpointEvery` trajectories and at the end, resumable exactly) and
/// `optimizer.safetensors` (φ alone, the file to ship).
public struct OptimizerTrainingRun {
    public let folder: URL
    public private(set) var trainer: MetaTrainer
    public private(set) var elapsed = 0.0
    /// Added to every file's metadata (config, commit).
    public var metadata: [String: String] = [:]

    public static let columns = ["iteration", "meta_loss", "final_loss", "skipped_windows", "meta_gradient_norm", "wall_s"]
    public var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
    public var optimizerURL: URL { folder.appendingPathComponent("optimizer.safetensors") }
    var progress: ProgressLog { ProgressLog(url: folder.appendingPathComponent("progress.csv"), columns: Self.columns) }

    public init(folder: URL, config: LearnedOptimizerConfig, problems: ProblemSource) {
        self.folder = folder
        trainer = MetaTrainer(config: config, problems: problems)
    }

    /// Continues from the folder's checkpoint; progress rows written after it are dropped.
    public mutating func resume() throws {
        AtomicFile.removeStaleTemporaries(for: checkpointURL)
        let state = try TrainingState.load(checkpointURL, optimizer: trainer.optimizer, learningRate: trainer.config.metaLearningRate)
        trainer.restore(state)
        elapsed = state.elapsed
        try progress.truncate(after: state.iteration)
    }

    /// Trains until `iterations` trajectories in all, calling `onStep(iteration, log)` after each.
    public mutating func train(until iterations: Int, onStep: (Int, MetaTrainer.Log) -> Void = { _, _ in }) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if trainer.iteration == 0 { try progress.start() }
        var pending: [[String]] = []
        var start = DispatchTime.now().uptimeNanoseconds
        while trainer.iteration < iterations {
            let log = try trainer.trainIteration()
            let now = DispatchTime.now().uptimeNanoseconds
            elapsed += Double(now - start) * 1e-9
            start = now
            pending.append(row(log))
            onStep(trainer.iteration, log)
            if trainer.iteration % trainer.config.checkpointEvery == 0 || trainer.iteration == iterations {
                try progress.append(pending)
                pending = []
                try trainer.state(elapsed: elapsed).save(to: checkpointURL, metadata: metadata)
            }
        }
        try progress.append(pending)
        try OptimizerFile.save(trainer.phi, metadata: metadata.merging(["iteration": String(trainer.iteration)]) { $1 }, to: optimizerURL)
    }

    /// A progress row; a value that is not finite (a skipped trajectory) is left empty.
    func row(_ log: MetaTrainer.Log) -> [String] {
        func field(_ x: Double) -> String { x.isFinite ? ProgressLog.field(x) : "" }
        return [String(trainer.iteration), field(log.metaLoss), field(log.finalLoss), String(log.skippedWindows),
                field(log.gradientNorm), String(format: "%.3f", elapsed)]
    }
}
