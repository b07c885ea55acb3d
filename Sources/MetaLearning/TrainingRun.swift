import Experiments
import Foundation
import NN

/// A meta-training run in a folder: `progress.csv` (one row per iteration) and
/// `checkpoint.safetensors` (full state, written atomically every `checkpointEvery` iterations and
/// at the end), resumable exactly: the learner, Adam's moments and the task generator's state are
/// all restored, so a resumed run continues with the numbers an uninterrupted one would draw.
public struct TrainingRun {
    public let folder: URL
    public private(set) var learner: MetaLearner
    public private(set) var rng: Xoshiro256
    /// Seconds spent training, across resumes.
    public private(set) var elapsed: Double = 0
    /// Draws one meta-batch of tasks.
    public let sampleTasks: (inout Xoshiro256) -> [FewShotTask]
    /// Written into every checkpoint (algorithm, experiment, hyperparameters).
    public var metadata: [String: String]
    public var checkpointEvery: Int
    /// Model selection on validation tasks (never the test tasks): every `every` iterations the
    /// learner is scored (lower is better) and, when it beats the best so far, written to
    /// `best.safetensors`. Scores go to `validation.csv`.
    public var validation: (every: Int, score: (MetaLearner) -> Double)?
    /// A picture of the learner for TensorBoard every `every` iterations.
    public var image: (every: Int, draw: (MetaLearner) -> TensorBoardEvent.Image)?
    public private(set) var bestScore = Double.infinity
    public private(set) var bestIteration = 0

    /// progress.csv's columns (the same writer and wall-time column as meta-RL's).
    public static let progressColumns = ["iteration", "meta_loss", "pre_adaptation_loss", "post_adaptation_loss",
                                         "adaptation_gradient_norm", "wall_s"]
    /// progress.csv, mirrored in the run's TensorBoard event file.
    func progressLog() throws -> ProgressLog {
        ProgressLog(url: progressURL, columns: Self.progressColumns, events: try TensorBoardLog(folder: folder))
    }

    public var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
    public var progressURL: URL { folder.appendingPathComponent("progress.csv") }
    public var bestURL: URL { folder.appendingPathComponent("best.safetensors") }
    public var validationURL: URL { folder.appendingPathComponent("validation.csv") }

    public init(folder: URL, learner: MetaLearner, rng: Xoshiro256, metadata: [String: String], checkpointEvery: Int,
                sampleTasks: @escaping (inout Xoshiro256) -> [FewShotTask]) {
        self.folder = folder
        self.learner = learner
        self.rng = rng
        self.metadata = metadata
        self.checkpointEvery = checkpointEvery
        self.sampleTasks = sampleTasks
    }

    /// Continues from the folder's checkpoint; progress rows after it are dropped.
    public mutating func resume() throws {
        AtomicFile.removeStaleTemporaries(for: checkpointURL)
        let state = try Checkpoint.load(checkpointURL, names: learner.trainable.names)
        learner.restore(trainable: state.trainable, adam: state.adam, iteration: state.iteration)
        rng = state.rng
        elapsed = state.elapsed
        bestScore = state.metadata["best_score"].flatMap(Double.init) ?? .infinity
        bestIteration = state.metadata["best_iteration"].flatMap(Int.init) ?? 0
        if FileManager.default.fileExists(atPath: progressURL.path) { try progressLog().truncate(after: state.iteration) }
    }

    /// Trains until `iterations` meta-updates have been taken in total, calling `onStep` after
    /// each with (iteration, log, elapsed seconds).
    public mutating func train(until iterations: Int, onStep: (Int, MetaStepLog, Double) -> Void = { _, _, _ in }) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let progress = try progressLog()
        if !FileManager.default.fileExists(atPath: progressURL.path) || learner.iteration == 0 { try progress.start() }
        var pending: [[String]] = []
        var start = DispatchTime.now().uptimeNanoseconds
        while learner.iteration < iterations {
            let tasks = sampleTasks(&rng)
            let log = learner.step(on: tasks)
            let now = DispatchTime.now().uptimeNanoseconds
            elapsed += Double(now - start) * 1e-9
            start = now
            let i = learner.iteration
            pending.append([String(i), "\(log.metaLoss)", "\(log.preAdaptationLoss)", "\(log.postAdaptationLoss)",
                            "\(log.adaptationGradientNorm)", String(format: "%.3f", elapsed)])
            if let image, i % image.every == 0 {
                try progress.events?.append([TensorBoardEvent(wallTime: Date().timeIntervalSince1970, step: i, images: [image.draw(learner)])])
            }
            if let validation, i % validation.every == 0 || i == iterations {
                try validate(validation.score)
            }
            if i % checkpointEvery == 0 || i == iterations {
                try progress.append(pending)
                pending = []
                try saveCheckpoint()
            }
            onStep(i, log, elapsed)
        }
        try progress.append(pending)
    }

    public func saveCheckpoint() throws {
        var meta = metadata
        meta["best_score"] = String(bestScore)
        meta["best_iteration"] = String(bestIteration)
        try Checkpoint.save(.init(trainable: learner.trainable, adam: learner.adam, iteration: learner.iteration,
                                  rng: rng, elapsed: elapsed, metadata: meta), to: checkpointURL)
    }

    private mutating func validate(_ score: (MetaLearner) -> Double) throws {
        let value = score(learner)
        let line = "\(learner.iteration),\(value)\n"
        if !FileManager.default.fileExists(atPath: validationURL.path) {
            try "iteration,score\n".write(to: validationURL, atomically: true, encoding: .utf8)
        }
        let handle = try FileHandle(forWritingTo: validationURL)
        try handle.seekToEnd()
        handle.write(Data(line.utf8))
        try handle.close()
        if value.isFinite && value < bestScore {
            bestScore = value
            bestIteration = learner.iteration
            var meta = metadata
            meta["selected_by"] = "lowest validation score at iteration \(learner.iteration) (\(value))"
            try savePolicyFile(to: bestURL, metadata: meta)
        }
    }

    /// The learned parameters with the run's metadata, for `policies/`.
    public func savePolicy(to url: URL) throws {
        try savePolicyFile(to: url, metadata: metadata)
    }

    private func savePolicyFile(to url: URL, metadata: [String: String]) throws {
        var meta = metadata
        meta["iteration"] = String(learner.iteration)
        meta["training_seconds"] = String(format: "%.1f", elapsed)
        try Checkpoint.savePolicy(learner.trainable, metadata: meta, to: url)
    }
}
