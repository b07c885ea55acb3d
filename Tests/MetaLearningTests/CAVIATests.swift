import Experiments
import Foundation
import Testing
import MetaLearning
import TestSupport

/// CAVIA (Zintgraf et al. 2019) against its definition: the inner loop moves only a context that
/// starts at zero, and the meta-gradient of the shared weights equals finite differences of the
/// query loss after that adaptation, in the loop over tasks and in the task-batched graph alike.
@Suite struct CAVIATests {
    static let contextSize = 2
    /// A smooth small regressor taking (x, context).
    static let mlp = MLP(sizes: [1 + contextSize, 6, 6, 1], activation: .silu)
    static func model(batched: Bool) -> FunctionalModel {
        FunctionalModel(loss: .meanSquaredError, batchesTasks: batched) { p, x in mlp(Context.appended(to: x, p[Context.name]), p) }
    }

    static func settings(steps: Int) -> MetaLearnerSettings {
        var settings = MetaLearnerSettings()
        settings.innerSteps = steps
        settings.contextSize = contextSize
        settings.contextStepSize = 0.5
        return settings
    }

    @Test func onlyTheContextMovesAndItStartsAtZero() {
        var rng = Xoshiro256(seed: 5)
        let theta = Self.mlp.initialParameters(using: &rng)
        let task = SinusoidTaskFamily().sampleTasks(1, shots: 5, queryPoints: 7, using: &rng)[0]
        let start = theta.appending(Context.zeros(size: Self.contextSize))
        #expect(start[Context.name].scalars == [0, 0])
        let inner = SupportSetAdaptation(steps: 2, stepSize: 0.5, createGraph: false, adapted: [Context.name])
        let adapted = inner.adapt(start.detached(), model: Self.model(batched: false), inputs: task.supportInputs, targets: task.supportTargets)
        for name in theta.names { #expect(adapted.parameters[name].scalars == theta[name].scalars, "\(name) moved") }
        #expect(adapted.parameters[Context.name].scalars != [0, 0])
        #expect(adapted.initialGradient?.names == [Context.name])
    }

    @Test(arguments: [(1, false), (2, false), (2, true)])
    func metaGradientMatchesFiniteDifferences(steps: Int, batched: Bool) {
        var rng = Xoshiro256(seed: 7)
        let theta = Self.mlp.initialParameters(using: &rng)
        let tasks = SinusoidTaskFamily().sampleTasks(3, shots: 5, queryPoints: 7, using: &rng)
        let learner = MetaLearner(algorithm: .cavia, settings: Self.settings(steps: steps), model: Self.model(batched: batched),
                                  initialParameters: theta)
        #expect(learner.trainable.names == theta.names, "the context is not meta-trained")
        let analytic = learner.metaGradient(on: tasks).gradient
        // The meta-objective as a plain function of θ: mean query loss after the context's steps.
        let model = Self.model(batched: false)
        let f = { (tensors: [Tensor]) -> Tensor in
            let inner = SupportSetAdaptation(steps: steps, stepSize: 0.5, createGraph: true, adapted: [Context.name])
            let losses = tasks.map { task in
                let start = Parameters(names: theta.names, tensors: tensors).appending(Context.zeros(size: Self.contextSize))
                let adapted = inner.adapt(start, model: model, inputs: task.supportInputs, targets: task.supportTargets)
                return model.loss(adapted.parameters, task.queryInputs, task.queryTargets)
            }
            return losses.dropFirst().reduce(losses[0], +) / Float(tasks.count)
        }
        // Float32 differences: rounding dominates below h ≈ 1e-2 (a dropped second-order term would be off by O(1)).
        let numeric = GradientCheck.numericalGradients(f, at: theta.tensors, step: 2e-2)
        let error = GradientCheck.maxRelativeError(analytic.tensors.map { $0.scalars.map(Double.init) }, numeric)
        #expect(error < 1e-2, "CAVIA \(steps) step(s)\(batched ? ", batched" : ""): meta-gradient off by \(error)")
    }
}
