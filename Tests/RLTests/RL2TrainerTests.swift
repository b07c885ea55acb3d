import Foundation
import Testing
import Envs
@testable import RL
import TestSupport

/// RL² training runs for real on navigation: a resumed run equals an uninterrupted one, and its
/// checkpoint reads back whole or not at all.
@Suite(.serialized) final class RL2TrainerTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-rl2-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: folder) }

    func config() -> MetaRLConfig {
        var config = MetaRLConfig()
        config.env = "navigation-2d"
        config.metaBatchSize = 2
        config.episodesPerTask = 3
        config.episodesPerTrial = 2
        config.recurrentHiddenSize = 4
        config.iterations = 3
        config.checkpointEvery = 2
        config.envConfig.unitActions = true
        return config
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let straight = try RL2Trainer(config: config(), runDirectory: folder.appendingPathComponent("a"), resume: false)
        try straight.train()
        let first = try RL2Trainer(config: config(), runDirectory: folder.appendingPathComponent("b"), resume: false)
        try first.train(until: 2)
        let saved = try Data(contentsOf: first.checkpointURL)
        try first.train(until: 3)
        try saved.write(to: first.checkpointURL)  // killed after iteration 3's row, before its checkpoint
        let resumed = try RL2Trainer(config: config(), runDirectory: folder.appendingPathComponent("b"), resume: true)
        #expect(resumed.iteration == 2)
        try resumed.train()
        #expect(resumed.parameters.flattened().scalars == straight.parameters.flattened().scalars)
        let rows = try String(contentsOf: folder.appendingPathComponent("b/progress.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 4 && rows[0].hasPrefix("iteration,return_episode_1,return_episode_2"))
    }

    @Test func aDamagedCheckpointIsRefused() throws {
        let trainer = try RL2Trainer(config: config(), runDirectory: folder.appendingPathComponent("c"), resume: false)
        try trainer.train(until: 2)
        let read = try RecurrentPolicyCheckpoint.read(trainer.checkpointURL)
        #expect(read.iteration == 2 && read.parameters.flattened().scalars == trainer.parameters.flattened().scalars)
        // Its meta-test: the return in each episode of a trial, per held-out task.
        var settings = EvaluationSettings()
        settings.taskCount = 3
        settings.episodesPerTask = 2
        let (curve, _) = try read.evaluateTrials(settings: settings)
        #expect(curve.perTask.count == 3 && curve.perTask.allSatisfy { $0.count == 2 } && curve.meanReturn.allSatisfy { $0.isFinite })
        var data = try Data(contentsOf: trainer.checkpointURL)
        data[data.count - 3] ^= 0x20
        try data.write(to: trainer.checkpointURL)
        #expect(throws: (any Error).self) { try RecurrentPolicyCheckpoint.read(trainer.checkpointURL) }
        // A MAML checkpoint is not an RL² policy.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        #expect(throws: PolicyCheckpoint.Error.self) {
            try RecurrentPolicyCheckpoint.read(repository.appendingPathComponent("policies/navigation-2d/maml.safetensors"))
        }
    }
}
