import Foundation
import Testing
import Experiments
import Config
import MetaLearning
import TestSupport

@Suite struct SinusoidTests {
    @Test func taskSamplerStaysInThePapersRanges() {
        var rng = Xoshiro256(seed: 5)
        let family = SinusoidTaskFamily()
        let tasks = (0..<2000).map { _ in family.sample(using: &rng) }
        let amplitudes: [Float] = tasks.map { $0.amplitude }
        let phases: [Float] = tasks.map { $0.phase }
        #expect(amplitudes.allSatisfy { (0.1...5.0).contains($0) })
        #expect(phases.allSatisfy { (0...Float.pi).contains($0) })
        // Uniform: the draws reach near both ends and average near the middle.
        let meanAmplitude: Float = amplitudes.reduce(0, +) / 2000
        let meanPhase: Float = phases.reduce(0, +) / 2000
        #expect(amplitudes.min()! < 0.15 && amplitudes.max()! > 4.95)
        #expect(abs(meanAmplitude - 2.55) < 0.1)
        #expect(phases.min()! < 0.01 && phases.max()! > 3.13)
        #expect(abs(meanPhase - Float.pi / 2) < 0.1)

        let few = family.sampleTasks(50, shots: 10, queryPoints: 20, using: &rng)
        for task in few {
            #expect(task.supportInputs.shape == [10, 1] && task.queryInputs.shape == [20, 1])
            #expect(task.supportInputs.scalars.allSatisfy { (-5...5).contains($0) })
            #expect(task.queryTargets.scalars.allSatisfy { abs($0) <= 5 })
        }
        // Targets are A·sin(x − φ).
        let t = SinusoidTask(amplitude: 2, phase: 0.5)
        let batch = t.batch(at: [0.5, 0.5 + .pi / 2], oracle: true)
        #expect(isClose(batch.targets, Tensor(shape: [2, 1], scalars: [0, 2]), tolerance: 1e-5))
        #expect(batch.inputs.shape == [2, 3] && batch.inputs.scalars[1] == 2 && batch.inputs.scalars[2] == 0.5)
    }

    @Test func configFileHoldsThePapersSettings() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../envs/experiments/sinusoid.yaml")
        let config = try SinusoidConfig.load(url)
        #expect(config == SinusoidConfig.defaults)
        #expect(config.learner.metaBatchSize == 25 && config.learner.innerStepSize == 0.01 && config.shots == 10)
        #expect(config.iterations == 70_000 && config.hiddenSizes == [40, 40] && config.learner.metaStepSize == 0.001)
        #expect(throws: ConfigError.self) { try SinusoidConfig.parse("kind: sinusoid\nlearner:\n  innerStep: 2\n", file: "x.yaml") }
        #expect(throws: ConfigError.self) { try SinusoidConfig.parse("kind: sinusoid\namplitude: [5, 1]\n", file: "x.yaml") }
        // A few-shot classifier named for regression is a config error, not a trap in the learner.
        #expect(throws: ConfigError.self) { try SinusoidConfig.parse("kind: sinusoid\nalgorithm: relation\n", file: "x.yaml") }
        #expect(throws: ConfigError.self) { try OmniglotConfig.parse("kind: omniglot\nalgorithm: cavia\n", file: "x.yaml") }
    }

    /// A short run (a few hundred meta-iterations) already makes one gradient step pay off.
    @Test func shortMAMLRunLearnsToAdapt() {
        // A wider initialisation and a larger meta step than the paper's, so 300 updates suffice.
        var config = SinusoidConfig.defaults
        config.initialWeightStd = 0.3
        config.learner.metaStepSize = 0.01
        config.learner.metaBatchSize = 10
        var learner = SinusoidExperiment.learner(config, algorithm: .maml)
        var rng = Xoshiro256(seed: 21)
        for _ in 0..<300 {
            learner.step(on: config.family.sampleTasks(10, shots: 10, queryPoints: 10, using: &rng))
        }
        let test = SinusoidExperiment.testSet(config, count: 100, shots: 10, seed: 99).fewShotTasks(oracle: false)
        let curve = Evaluation.summarize(Evaluation.adaptationValues(model: learner.model, parameters: learner.parameters,
                                                                     tasks: test, steps: 5, stepSize: 0.01))
        #expect(curve.mean[1] < 0.8 * curve.mean[0], "MSE before \(curve.mean[0]), after 1 step \(curve.mean[1])")
        #expect(curve.mean[5] < 0.5 * curve.mean[0], "MSE before \(curve.mean[0]), after 5 steps \(curve.mean[5])")
    }

    @Test func resumedRunContinuesExactly() throws {
        var config = SinusoidConfig.defaults
        config.learner.metaBatchSize = 4
        config.checkpointEvery = 5
        config.imageEvery = 10
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }

        var straight = SinusoidExperiment.run(config, algorithm: .maml, folder: base.appendingPathComponent("a"))
        try straight.train(until: 20)
        var first = SinusoidExperiment.run(config, algorithm: .maml, folder: base.appendingPathComponent("b"))
        try first.train(until: 10)
        var resumed = SinusoidExperiment.run(config, algorithm: .maml, folder: base.appendingPathComponent("b"))
        try resumed.resume()
        #expect(resumed.learner.iteration == 10 && resumed.learner.adam.step == 10)
        try resumed.train(until: 20)
        for (a, b) in zip(straight.learner.trainable.tensors, resumed.learner.trainable.tensors) {
            #expect(a.scalars == b.scalars, "resumed run diverged from the uninterrupted one")
        }
        let rows = try String(contentsOf: resumed.progressURL, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 21 && rows[0].hasPrefix("iteration,meta_loss"))
        // TensorBoard: one curve point per iteration across the resume, and the fit picture every 10.
        let events = try TensorBoardLog.read(try #require(TensorBoardLog.eventFiles(in: base.appendingPathComponent("b")).first))
        #expect(events.filter { $0.tags.contains("progress/meta_loss") }.map(\.step) == Array(1...20))
        #expect(events.filter { !$0.images.isEmpty }.map(\.step) == [10, 20])

        // The shipped-policy file round-trips with its metadata.
        let policyURL = base.appendingPathComponent("policy.safetensors")
        try resumed.savePolicy(to: policyURL)
        let policy = try SinusoidExperiment.loadPolicy(policyURL)
        #expect(policy.algorithm == .maml && policy.metadata["iteration"] == "20")
        for name in resumed.learner.parameters.names {
            #expect(policy.parameters[name].scalars == resumed.learner.parameters[name].scalars)
        }
        // It fits the network its config describes, whatever order the file lists its tensors in.
        var rng = Xoshiro256(seed: 0)
        try SinusoidExperiment.requireShapes(policy, of: config.initialParameters(for: .maml, using: &rng), path: policyURL.path)
    }

    /// Every shipped sinusoid policy fits the shipped config's network, as `adapt eval` checks.
    @Test func shippedPoliciesFitTheShippedConfig() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try SinusoidConfig.load(repository.appendingPathComponent("envs/experiments/sinusoid.yaml"))
        let folder = repository.appendingPathComponent("policies/sinusoid")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }
        #expect(!files.isEmpty)
        for file in files {
            let policy = try SinusoidExperiment.loadPolicy(folder.appendingPathComponent(file))
            var shaped = config
            shaped.activation = policy.activation
            var rng = Xoshiro256(seed: 0)
            try SinusoidExperiment.requireShapes(policy, of: shaped.initialParameters(for: policy.algorithm, using: &rng), path: file)
        }
    }
}
