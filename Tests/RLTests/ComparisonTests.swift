import Experiments
import Config
import Testing
import Synchronization
import Foundation
import Envs
import NN
@testable import RL
import TestSupport

/// The baselines comparison and the pieces the demo uses, on a shortened setting: tiny policies
/// trained for two iterations each, three held-out tasks, one adaptation step.
@Suite(.serialized) struct ComparisonTests {
    func tinyConfig() -> MetaRLConfig {
        var c = MetaRLConfig()
        c.env = "navigation-2d"
        c.hiddenSizes = [8]
        c.episodesPerTask = 4
        c.metaBatchSize = 2
        c.iterations = 2
        c.checkpointEvery = 1
        c.envConfig.horizon = 10
        return c
    }

    /// policies/<experiment>/ in a temporary folder, trained by the real trainer.
    func shippedFolder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-compare-\(UUID().uuidString)")
        for algorithm in [Method.maml, .pretrained, .oracle] {
            let trainer = try MetaRLTrainer(config: tinyConfig(), algorithm: algorithm,
                                            runDirectory: root.appendingPathComponent("run-\(algorithm.rawValue)"), resume: false)
            try trainer.train()
            try FileManager.default.copyItem(at: trainer.checkpointURL, to: root.appendingPathComponent("\(algorithm.rawValue).safetensors"))
        }
        return root
    }

    @Test func everyMethodIsEvaluatedOnTheSameTasks() throws {
        var settings = EvaluationSettings()
        settings.taskCount = 3
        settings.adaptationSteps = 2
        let heard = Mutex<[(Int, Int)]>([])
        let comparison = try Comparison.run(experiment: "navigation-2d", folder: try shippedFolder(), settings: settings) { _, done, total in
            heard.withLock { $0.append((done, total)) }
        }
        #expect(comparison.methods.map(\.method) == [.maml, .pretrained, .random, .oracle])
        // Progress: every task rollout (sweeps on 5 validation tasks included) counted once, to the total.
        let counts = heard.withLock { $0 }
        let expected = 4 * 5 + 3 + (9 * 5 + 4 * 5 + 3) * 2 + 3  // maml; pretrained and random; oracle
        #expect(counts.map(\.0).sorted() == Array(1...expected) && counts.allSatisfy { $0.1 == expected })
        // The same held-out tasks, in the same order, for every method.
        let tasks = try #require(comparison.methods.first?.tasks)
        #expect(tasks.count == 3 && Set(tasks).count == 3)
        for method in comparison.methods {
            #expect(method.tasks == tasks, "\(method.method) was evaluated on other tasks")
        }
        for method in comparison.methods {
            let steps = method.method == .oracle ? 1 : 3
            #expect(method.curve.meanReturn.count == steps && method.curve.perTask.count == 3, "\(method.method)")
            #expect(method.curve.meanReturn.allSatisfy(\.isFinite) && method.curve.ci95.allSatisfy { $0 >= 0 })
        }
        // Baselines get a step size from the sweep; MAML uses its training α; the oracle is not adapted.
        let byName = Dictionary(uniqueKeysWithValues: comparison.methods.map { ($0.method, $0) })
        #expect(byName[.pretrained]?.sweep?.count == Comparison.sweepStepSizes.count)
        #expect(byName[.maml]?.sweep == nil && byName[.maml]?.stepSizes.first == tinyConfig().innerStepSize)
        #expect(byName[.oracle]?.env == "navigation-2d-oracle")
        #expect(comparison.rollouts[.maml]?.first?.parameters.count == 3)
        // Every adapted method, MAML included, gets its later steps' ratio α₂/α₁ from a second sweep.
        for name in [Method.maml, .pretrained, .random] {
            let method = try #require(byName[name])
            #expect(method.laterStepSweep?.count == Comparison.laterStepRatios.count, "\(name)")
            #expect(method.stepSizes.count == 2 && Comparison.laterStepRatios.contains(method.stepSizes[1] / method.stepSizes[0]), "\(name)")
        }
        #expect(byName[.oracle]?.laterStepSweep == nil)
    }

    /// CAVIA and RL² join the comparison when their checkpoints are in the folder: CAVIA adapted
    /// with its trained context step size (no first-step sweep), RL² on trials of the same tasks,
    /// a point per episode of a trial.
    @Test func caviaAndRL2AreComparedOnTheSameTasks() throws {
        let folder = try shippedFolder()
        var config = tinyConfig()
        config.contextSize = 2
        config.contextStepSize = 0.7
        config.recurrentHiddenSize = 4
        config.episodesPerTrial = 3
        let cavia = try MetaRLTrainer(config: config, algorithm: .cavia, runDirectory: folder.appendingPathComponent("run-cavia"), resume: false)
        try cavia.train()
        try FileManager.default.copyItem(at: cavia.checkpointURL, to: folder.appendingPathComponent("cavia.safetensors"))
        let rl2 = try RL2Trainer(config: config, runDirectory: folder.appendingPathComponent("run-rl2"), resume: false)
        try rl2.train()
        try FileManager.default.copyItem(at: rl2.checkpointURL, to: folder.appendingPathComponent("rl2.safetensors"))

        var settings = EvaluationSettings()
        settings.taskCount = 3
        settings.adaptationSteps = 2
        let heard = Mutex<[Int]>([])
        let comparison = try Comparison.run(experiment: "navigation-2d", folder: folder, settings: settings) { _, done, _ in
            heard.withLock { $0.append(done) }
        }
        #expect(comparison.methods.map(\.method) == [.maml, .cavia, .rl2, .pretrained, .random, .oracle])
        let byName = Dictionary(uniqueKeysWithValues: comparison.methods.map { ($0.method, $0) })
        let tasks = try #require(byName[.maml]?.tasks)
        for method in comparison.methods { #expect(method.tasks == tasks, "\(method.method) was evaluated on other tasks") }
        #expect(byName[.cavia]?.sweep == nil && byName[.cavia]?.stepSizes.first == 0.7)
        #expect(byName[.cavia]?.curve.meanReturn.count == 3)
        #expect(byName[.rl2]?.curve.meanReturn.count == 3 && byName[.rl2]?.stepSizes == [])
        let expected = 4 * 5 + 3 + (4 * 5 + 3) + 3 + (9 * 5 + 4 * 5 + 3) * 2 + 3  // maml, cavia, rl2, pretrained and random, oracle
        #expect(heard.withLock { $0 }.sorted() == Array(1...expected))
    }

    /// Paired differences by hand: task difficulty (a common offset per task) cancels, so the
    /// difference's interval is zero where each curve's is wide; one column is broadcast.
    /// Recording step sizes rewrites a shipped checkpoint: its tensors and the config text it was
    /// trained with stay as they were, only the step sizes change.
    @Test func recordingStepSizesKeepsTheTrainedConfigText() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = repository.appendingPathComponent("policies/half-cheetah-dir/maml.safetensors")
        var checkpoint = try PolicyCheckpoint.read(shipped)
        checkpoint.testStepSizes = [0.3, 0.15]
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-record-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: copy) }
        try checkpoint.write(to: copy)
        let (before, after) = (try Safetensors.read(shipped), try Safetensors.read(copy))
        #expect(after.metadata["config"] == before.metadata["config"])
        #expect(after.metadata["test_step_sizes"] == "0.3,0.15")
        #expect(after.tensors.names.allSatisfy { after.tensors[$0].scalars == before.tensors[$0].scalars })
    }

    @Test func pairedDifferenceCancelsTheTasksSpread() throws {
        let a = AdaptationCurve(perTask: [[-10, -2], [-50, -42], [-90, -82]])
        let b = AdaptationCurve(perTask: [[-11, -5], [-51, -45], [-91, -85]])
        let d = try #require(a.minus(b))
        #expect(d.meanReturn == [1, 3] && d.ci95 == [0, 0])
        #expect(a.ci95[1] > 40)
        let oracle = AdaptationCurve(perTask: [[-1], [-2], [-3]])
        #expect(a.minus(oracle)?.perTask == [[-9, -1], [-48, -40], [-87, -79]])
    }

    @Test func recordedTestStepSizesSurviveAWriteAndRead() throws {
        let folder = try shippedFolder()
        let url = folder.appendingPathComponent("pretrained.safetensors")
        var checkpoint = try PolicyCheckpoint.read(url)
        #expect(checkpoint.testStepSizes == PolicyGradientAdaptation.halvingSchedule(tinyConfig().innerStepSize))
        checkpoint.testStepSizes = [0.25, 0.0625]
        try checkpoint.write(to: url)
        #expect(try PolicyCheckpoint.read(url).testStepSizes == [0.25, 0.0625])
        #expect(checkpoint.metadata["test_step_sizes"] == "0.25,0.0625")
        // A file from before: camelCase keys, and only the first step recorded (halved after it).
        checkpoint.metadata["test_step_sizes"] = nil
        checkpoint.metadata["testStepSize"] = "2"
        checkpoint.metadata["blas_kernel"] = nil
        checkpoint.metadata["blasKernel"] = "Haswell"
        try checkpoint.write(to: url)
        let old = try PolicyCheckpoint.read(url)
        #expect(old.testStepSizes == [2, 1] && old.metadata["blas_kernel"] == "Haswell")
        #expect(old.metadata.keys.allSatisfy { $0 == $0.lowercased() }, "\(old.metadata.keys)")
    }

    /// The checkpoint API the demo, render and the comparison share: adaptation with the recorded
    /// schedule, on fresh episodes, reproducible from the seed.
    @Test func adaptingACheckpointUsesItsScheduleAndIsReproducible() throws {
        var maml = try PolicyCheckpoint.read(try shippedFolder().appendingPathComponent("maml.safetensors"))
        maml.testStepSizes = [0.3, 0.05]
        let task = Task.goalPosition(x: 0.2, y: -0.3)
        let a = try maml.adapt(to: task, steps: 2, seed: 9), b = try maml.adapt(to: task, steps: 2, seed: 9)
        #expect(a.adapted.flattened().scalars == b.adapted.flattened().scalars && a.parameters.count == 3)
        #expect(maml.adaptation().stepSizes == [0.3, 0.05])
        let first = a.adaptation[0]
        let gradient = maml.adaptation().gradient(maml.parameters.requiringGradient(), on: first, createGraph: false)
        let expected = maml.parameters.zip(gradient) { $0 - 0.3 * $1 }
        #expect(isClose(a.parameters[1].flattened(), expected.flattened(), tolerance: 1e-6))
    }

    @Test func randomBaselineTakesTheStepSizesRecordedInTheMAMLCheckpoint() throws {
        let url = try shippedFolder().appendingPathComponent("maml.safetensors")
        var maml = try PolicyCheckpoint.read(url)
        #expect(maml.randomBaseline(seed: 1).testStepSizes == PolicyGradientAdaptation.halvingSchedule(tinyConfig().innerStepSize))
        maml.randomBaselineStepSizes = [2, 0.5]
        try maml.write(to: url)
        let reread = try PolicyCheckpoint.read(url)
        #expect(reread.testStepSizes == PolicyGradientAdaptation.halvingSchedule(tinyConfig().innerStepSize))
        #expect(reread.randomBaseline(seed: 1).testStepSizes == [2, 0.5])
    }

    @Test func greedyEpisodeReportsTheOutcomeOfTheTask() throws {
        let checkpoint = try PolicyCheckpoint.read(try shippedFolder().appendingPathComponent("maml.safetensors"))
        var frames = 0
        let episode = try GreedyEpisode(checkpoint, parameters: checkpoint.parameters, task: .goalPosition(x: 0.3, y: 0.1), seed: 1) { _ in frames += 1 }
        #expect(episode.steps == 10 && frames == 11 && episode.observations.count == 11)
        #expect(episode.totalReward < 0 && episode.finalDistance > 0)
    }
}
