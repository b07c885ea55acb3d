import Foundation
import LearnedOptimizer
import NN
import Testing
import TestSupport

/// The learned optimizer's pieces, each against its definition: the paper's preprocessing, the
/// meta-gradient through the unrolled updates against finite differences, meta-training that
/// lowers the meta-loss, and the IDX reader on the real Fashion-MNIST files.
@Suite struct LearnedOptimizerTests {
    @Test func preprocessingMatchesAppendixA() {
        let p: Float = 10
        let values: [Float] = [3.5, -0.02, 1e-3, -7e-4, 5e-5, 4e-5, -4e-5, 1e-6, 0, -1e-9, 1e8]
        let rows = GradientPreprocessing.apply(Tensor(shape: [values.count], scalars: values), p: p)
        #expect(rows.shape == [values.count, 2])
        for (i, g) in values.enumerated() {
            let d = Double(g), large = abs(d) >= exp(-10.0)
            let expected = large ? (log(abs(d)) / 10, d > 0 ? 1 : -1) : (-1, exp(10.0) * d)
            #expect(abs(Double(rows.scalars[2 * i]) - expected.0) < 1e-5, "\(g): first feature \(rows.scalars[2 * i]) vs \(expected.0)")
            #expect(abs(Double(rows.scalars[2 * i + 1]) - expected.1) < 1e-4 * max(1, abs(expected.1)), "\(g): second feature")
        }
    }

    /// A small optimizer on two 3-d quadratics, so finite differences over every weight stay fast.
    static let optimizer = LSTMOptimizer(hiddenSize: 4, layerCount: 2, outputScale: 0.1)
    static func problem() -> Quadratics {
        var rng = Xoshiro256(seed: 7)
        return Quadratics(count: 2, dimension: 3, initialStd: 0.5, using: &rng)
    }
    static func phi() -> Parameters {
        var rng = Xoshiro256(seed: 3)
        return optimizer.initialParameters(using: &rng)
    }

    /// One update θ₁ = θ₀ + m(∇f(θ₀); φ): the meta-loss f(θ₁) is exactly differentiable in φ (∇f(θ₀)
    /// does not depend on φ), so autodiff must match finite differences of the real loss.
    @Test func oneStepMetaGradientMatchesFiniteDifferences() {
        let problem = Self.problem(), phi = Self.phi()
        let error = GradientCheck.maxError(order: 1, { tensors in
            var trajectory = Trajectory(problem, optimizer: Self.optimizer)
            return trajectory.advance(1, problem: problem, optimizer: Self.optimizer,
                                      phi: Parameters(names: phi.names, tensors: tensors), metaLoss: true).metaLoss
        }, at: phi.tensors, step: 1e-2)
        #expect(error < 2e-2, "max relative error \(error)")
    }

    /// Four steps: the meta-gradient is that of Σ_t f(θ_t) with the optimizer's gradient inputs
    /// held at the values they took (the paper drops ∂∇f/∂φ), through θ and the LSTM memory.
    @Test func unrolledMetaGradientMatchesFiniteDifferencesWithGradientsHeldFixed() {
        let problem = Self.problem(), phi = Self.phi(), steps = 4
        var probe = Trajectory(problem, optimizer: Self.optimizer)
        var inputs: [Tensor] = []
        for _ in 0..<steps {
            _ = probe.advance(1, problem: problem, optimizer: Self.optimizer, phi: phi, metaLoss: false)
            inputs.append(probe.gradient)
        }
        let error = GradientCheck.maxError(order: 1, { tensors in
            var trajectory = Trajectory(problem, optimizer: Self.optimizer)
            return trajectory.advance(steps, problem: problem, optimizer: Self.optimizer,
                                      phi: Parameters(names: phi.names, tensors: tensors), metaLoss: true, replay: inputs).metaLoss
        }, at: phi.tensors, step: 1e-2)
        #expect(error < 2e-2, "max relative error \(error)")
        // Not vacuous: over several steps the meta-gradient reaches every tensor of φ (the
        // recurrent weights too, which a first step from zero memory cannot move).
        let tracked = phi.requiringGradient()
        var trajectory = Trajectory(problem, optimizer: Self.optimizer)
        let loss = trajectory.advance(steps, problem: problem, optimizer: Self.optimizer, phi: tracked, metaLoss: true).metaLoss
        #expect(gradients(of: loss, wrt: tracked.tensors).allSatisfy { $0.sumOfSquares() > 0 })
    }

    /// A few dozen trajectories on quadratics lower the meta-loss (mean loss along the trajectory),
    /// and the same seed gives the same numbers.
    @Test func shortMetaTrainingLowersTheMetaLossDeterministically() throws {
        var config = LearnedOptimizerConfig.defaults
        config.unrollSteps = 20
        config.truncation = 10
        config.quadratic.functionsPerTrajectory = 16
        config.metaLearningRate = 0.01
        func train() throws -> [Double] {
            var trainer = MetaTrainer(config: config, problems: try ProblemSource(config))
            return try (0..<60).map { _ in try trainer.trainIteration().metaLoss }
        }
        let losses = try train()
        let first = losses.prefix(10).reduce(0, +) / 10, last = losses.suffix(10).reduce(0, +) / 10
        #expect(last < 0.8 * first, "meta-loss \(first) → \(last)")
        #expect(try train() == losses)
    }

    /// A run stopped after 3 trajectories and resumed from its checkpoint ends with the very
    /// weights of a run of 6 straight.
    @Test func resumedRunEqualsUninterruptedRun() throws {
        var config = LearnedOptimizerConfig.defaults
        (config.unrollSteps, config.truncation, config.quadratic.functionsPerTrajectory) = (10, 5, 4)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("learned-optimizer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let problems = try ProblemSource(config)
        var straight = OptimizerTrainingRun(folder: root.appendingPathComponent("a"), config: config, problems: problems)
        try straight.train(until: 6)
        var first = OptimizerTrainingRun(folder: root.appendingPathComponent("b"), config: config, problems: problems)
        try first.train(until: 3)
        var resumed = OptimizerTrainingRun(folder: root.appendingPathComponent("b"), config: config, problems: problems)
        try resumed.resume()
        try resumed.train(until: 6)
        #expect(resumed.trainer.phi.tensors.map(\.scalars) == straight.trainer.phi.tensors.map(\.scalars))
    }

    @Test func idxReaderReadsFashionMNIST() throws {
        let folder = FashionMNIST.defaultFolder
        let labels = try IDXArray.read(folder + "/t10k-labels-idx1-ubyte.gz")
        #expect(labels.dimensions == [10_000])
        // Fashion-MNIST's test split is balanced: 1000 of each class; its first labels are 9, 2, 1, 1, 6.
        #expect(Array(labels.bytes.prefix(5)) == [9, 2, 1, 1, 6])
        #expect((0..<10).allSatisfy { c in labels.bytes.filter { $0 == c }.count == 1000 })
        let images = try IDXArray.read(folder + "/t10k-images-idx3-ubyte.gz")
        #expect(images.dimensions == [10_000, 28, 28] && images.bytes.count == 7_840_000)
        #expect(throws: IDXArray.Error.self) { try IDXArray.parse([0, 0, 8, 1, 0, 0, 0, 5, 1, 2], path: "short") }
        #expect(throws: IDXArray.Error.self) { try IDXArray.parse([0, 0, 0x0d, 1, 0, 0, 0, 1, 1, 2, 3, 4], path: "floats") }
    }
}
