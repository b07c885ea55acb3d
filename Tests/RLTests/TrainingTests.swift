import Testing
import Experiments
import Foundation
import Envs
import Parallel
@testable import RL
import TestSupport

/// Short real runs on navigation-2d (no physics, so they take seconds).
@Suite(.serialized) final class TrainingTests {
    /// This test's folder; its runs are deleted with it.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-rl-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: folder) }

    func smallConfig(steps: Int = 1) -> MetaRLConfig {
        var c = MetaRLConfig()
        c.env = "navigation-2d"
        c.hiddenSizes = [16]
        c.episodesPerTask = 8
        c.metaBatchSize = 4
        c.innerSteps = steps
        c.iterations = 4
        c.checkpointEvery = 2
        c.envConfig.horizon = 20
        return c
    }

    /// A fresh folder under this suite's own, which is removed when the suite's value goes away.
    func temporaryDirectory() -> URL {
        folder.appendingPathComponent(UUID().uuidString)
    }

    @Test func trpoStepStaysInsideTheTrustRegion() throws {
        let config = smallConfig()
        let trainer = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: temporaryDirectory(), resume: false)
        var rng = Xoshiro256(seed: 2)
        let tasks = trainer.tasks.sample(4, using: &rng)
        let (next, log) = try trainer.learner.step(trainer.parameters, tasks: tasks, sampler: trainer.sampler, seed: 11)
        #expect(log.rejection == nil)
        #expect(log.kl > 0 && log.kl <= Double(config.trpo.maxKL) * 1.0001, "KL \(log.kl)")
        #expect(log.surrogateAfter < log.surrogateBefore)
        #expect(next.flattened().scalars != trainer.parameters.flattened().scalars)
    }

    @Test func trpoImprovesAPolicyOnATinyTaskWithinAFewIterations() throws {
        var config = smallConfig(steps: 0)
        config.trpo.maxKL = 0.05
        let trainer = try MetaRLTrainer(config: config, algorithm: .pretrained, runDirectory: temporaryDirectory(), resume: false)
        let task = Task.goalPosition(x: 0.5, y: 0.5)
        var returns: [Double] = []
        var theta = trainer.parameters
        for i in 0..<6 {
            let (next, log) = try trainer.learner.step(theta, tasks: [task, task], sampler: trainer.sampler, seed: UInt64(i))
            theta = next
            returns.append(log.returnAfter)
        }
        #expect(returns.last! > returns.first! + 1, "returns \(returns)")
    }

    @Test func samplingIsIdenticalWhateverTheThreadCount() throws {
        let policy = GaussianMLPPolicy(observationSize: 2, actionSize: 2, hiddenSizes: [8])
        var rng = Xoshiro256(seed: 1)
        let theta = policy.initialParameters(using: &rng)
        let tasks = TaskDistribution.uniformGoalPosition(low: -0.5, high: 0.5).sample(5, using: &rng)
        func run(workers: Int) throws -> [[Float]] {
            let sampler = try Sampler(envName: "navigation-2d", policy: policy, episodesPerTask: 3, workers: workers)
            return try parallelMap(tasks.count, workers: workers) { i, w in
                try sampler.sample(task: tasks[i], parameters: theta, seed: UInt64(i), worker: w).actions.scalars
            }
        }
        #expect(try run(workers: 1) == run(workers: 2))
    }

    /// The sampler's batched forward pass (a tape) draws a = μ_θ(s) + σ·ε with the policy's own
    /// means and the generator's normals in row order, and records log π_θ(a|s).
    @Test func sampledActionsAreThePolicysMeansPlusScaledNoise() throws {
        let policy = GaussianMLPPolicy(observationSize: 2, actionSize: 2, hiddenSizes: [8, 8], activation: .tanh)
        var rng = Xoshiro256(seed: 4)
        let theta = policy.initialParameters(initialLogStd: -0.7, using: &rng)
        let k = 3
        let sampler = try Sampler(envName: "navigation-2d", envConfig: { var c = EnvConfig(); c.horizon = 5; return c }(),
                                  policy: policy, episodesPerTask: k, workers: 1)
        let episodes = try sampler.sample(task: .goalPosition(x: 0.1, y: 0.3), parameters: theta, seed: 77)
        var replay = Xoshiro256(seed: 77)
        for _ in 0..<k { _ = replay.next() }  // the reset seeds
        let sigma = theta[GaussianMLPPolicy.logStdName].exp().scalars
        let means = policy.means(episodes.observations, theta).scalars
        let noise = episodes.actions.scalars.indices.map { i in sigma[i % 2] * Float(replay.normal()) }
        let expected = zip(means, noise).map { $0 + $1 }
        #expect(zip(expected, episodes.actions.scalars).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) })
        let logp = policy.logProbability(observations: episodes.observations, actions: episodes.actions, theta)
        #expect(isClose(logp, episodes.logProbabilities, tolerance: 1e-5))
    }

    /// A whole meta-iteration (sampling, adaptation, conjugate gradient, line search) moves θ the
    /// same way with either engine, to float rounding as conjugate gradient amplifies it: ten
    /// iterations on a Fisher matrix damped by only 1e-5 turn a relative error of 1e-7 (one ulp) in
    /// each Fisher-vector product into about 1.4e-3 of the step (measured by perturbing the
    /// autodiff engine's own products), and the engines differ by that much.
    @Test(arguments: [1, 2]) func metaStepIsTheSameWithEitherEngine(steps: Int) throws {
        var config = smallConfig(steps: steps)
        config.hiddenSizes = [32, 32]
        let trainer = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: temporaryDirectory(), resume: false)
        var rng = Xoshiro256(seed: 12)
        let tasks = trainer.tasks.sample(config.metaBatchSize, using: &rng)
        let theta = trainer.parameters
        var learner = trainer.learner
        let (tape, tapeLog) = try learner.step(theta, tasks: tasks, sampler: trainer.sampler, seed: 5)
        learner.engine = .autodiff
        let (graph, graphLog) = try learner.step(theta, tasks: tasks, sampler: trainer.sampler, seed: 5)
        let stepA = (tape.flattened() - theta.flattened()).scalars, stepB = (graph.flattened() - theta.flattened()).scalars
        let gap = zip(stepA, stepB).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        let norm = stepB.map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        #expect(norm > 0.1 && gap < 1e-2 * norm, "steps differ by \(gap) (step norm \(norm))")
        #expect(tapeLog.lineSearchSteps == graphLog.lineSearchSteps && tapeLog.returnAfter == graphLog.returnAfter)
        #expect(abs(tapeLog.kl - graphLog.kl) < 1e-2 * graphLog.kl, "KL \(tapeLog.kl) vs \(graphLog.kl)")
        #expect(abs(tapeLog.surrogateAfter - graphLog.surrogateAfter) < 1e-2 * abs(graphLog.surrogateAfter))
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let config = smallConfig()
        let straight = temporaryDirectory(), interrupted = temporaryDirectory()
        let full = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: straight, resume: false)
        try full.train()
        // Stop after the checkpoint at iteration 2, as a kill would, then resume in a new trainer.
        let first = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: interrupted, resume: false)
        try first.train(until: 2)
        let saved = try Data(contentsOf: first.checkpointURL)
        try first.train(until: 3)
        try saved.write(to: first.checkpointURL)  // killed after iteration 3's progress row, before its checkpoint
        let resumed = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: interrupted, resume: true)
        #expect(resumed.iteration == 2)
        #expect(try PolicyCheckpoint.read(first.checkpointURL).metadata["blas_kernel"] == BLAS.kernelDescription)
        try resumed.train()
        #expect(resumed.parameters.flattened().scalars == full.parameters.flattened().scalars)
        let rows = { (url: URL) in try String(contentsOf: url.appendingPathComponent("progress.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").dropLast(2).joined(separator: ",") } }
        // Same numbers in every row except the wall-clock columns.
        #expect(try rows(straight).count == 5)
        #expect(try rows(interrupted).map { $0.split(separator: ",").prefix(8) } == rows(straight).map { $0.split(separator: ",").prefix(8) })
        // wall_s counts the whole run across the resume.
        let walls = try String(contentsOf: interrupted.appendingPathComponent("progress.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[11])! }
        #expect(walls.count == 4 && zip(walls, walls.dropFirst()).allSatisfy { $0 < $1 }, "wall_s \(walls)")
        // TensorBoard: the resumed run appended to the same event file, iteration 3 once, and its
        // curves equal the uninterrupted run's, against iterations and against env steps.
        let curves = { (folder: URL) throws -> [String: [(Int, Float)]] in
            let files = try TensorBoardLog.eventFiles(in: folder)
            #expect(files.count == 1)
            var curves: [String: [(Int, Float)]] = [:]
            for event in try TensorBoardLog.read(files[0]) { for s in event.scalars { curves[s.tag, default: []].append((event.step, s.value)) } }
            return curves
        }
        let (a, b) = (try curves(straight), try curves(interrupted))
        for tag in ["progress/return_after", "progress/kl", "progress/adaptation_gradient_norm", "progress_by_env_steps/return_after"] {
            #expect(a[tag]?.map(\.0) == b[tag]?.map(\.0) && a[tag]?.map(\.1) == b[tag]?.map(\.1), "\(tag): \(b[tag] ?? [])")
        }
        #expect(b["progress/return_after"]?.map(\.0) == [1, 2, 3, 4])
    }

    @Test func corruptCheckpointIsRefused() throws {
        let dir = temporaryDirectory()
        let trainer = try MetaRLTrainer(config: smallConfig(), algorithm: .maml, runDirectory: dir, resume: false)
        try trainer.checkpoint()
        var data = try Data(contentsOf: trainer.checkpointURL)
        data.removeLast(10)
        try data.write(to: trainer.checkpointURL)
        #expect(throws: Safetensors.Error.self) { try PolicyCheckpoint.read(trainer.checkpointURL) }
        #expect(throws: Safetensors.Error.self) { try MetaRLTrainer(config: smallConfig(), algorithm: .maml, runDirectory: dir, resume: true) }
        #expect(throws: ResumeError.self) { try MetaRLTrainer(config: smallConfig(), algorithm: .maml, runDirectory: temporaryDirectory(), resume: true) }
    }

    @Test func configNamesTheFileAndKeyOfAMistake() throws {
        let head = "kind: meta-rl\nenv: navigation-2d\n"
        let cases = [("x.yaml", head + "innerStepSize: -1\n", "innerStepSize"),
                     ("y.yaml", head + "trpo:\n  maxKl: 0.1\n", "trpo.maxKl"),
                     ("z.yaml", head + "metaBatchSize: many\n", "metaBatchSize"),
                     ("w.yaml", "kind: meta-rl\nmetaBatchSize: 4\n", "env")]
        for (file, text, key) in cases {
            let error = #expect(throws: ConfigError.self) { try MetaRLConfig.parse(text, file: file) }
            #expect(error?.file == file && error?.key == key, "\(String(describing: error))")
        }
        let ok = try MetaRLConfig.parse(head + "envConfig:\n  horizon: 50\n", file: "ok.yaml")
        #expect(ok.env == "navigation-2d" && ok.envConfig.horizon == 50 && ok.innerStepSize == 0.1)
    }

    @Test func trainingStartsFromTheConfiguredPolicyNoise() throws {
        var config = smallConfig()
        config.initialLogStd = -1.5
        let trainer = try MetaRLTrainer(config: config, algorithm: .maml, runDirectory: temporaryDirectory(), resume: false)
        #expect(trainer.parameters[GaussianMLPPolicy.logStdName].scalars == [-1.5, -1.5])
    }
}

import Config
