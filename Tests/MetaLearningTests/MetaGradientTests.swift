import Experiments
import Config
import Foundation
import Testing
import MetaLearning
import TestSupport

/// The meta-gradients of MAML, first-order MAML, Reptile and Meta-SGD against their definitions:
/// finite differences of the post-adaptation query loss, the query gradient at θ′, and θ − θ̃.
@Suite struct MetaGradientTests {
    /// A smooth small regressor (SiLU: non-zero second derivatives, so second-order terms matter).
    static let mlp = MLP(sizes: [1, 6, 6, 1], activation: .silu)
    static let model = FunctionalModel(loss: .meanSquaredError) { p, x in mlp(x, p) }

    static func setUp(seed: UInt64 = 3) -> (Parameters, FewShotTask) {
        var rng = Xoshiro256(seed: seed)
        let theta = mlp.initialParameters(using: &rng)
        let task = SinusoidTaskFamily().sampleTasks(1, shots: 5, queryPoints: 7, using: &rng)[0]
        return (theta, task)
    }

    /// Query loss after `steps` inner steps as a plain function of θ's tensors (and α's), for finite differences.
    static func postAdaptationLoss(_ names: [String], steps: Int, alpha: Float, learned: Bool, task: FewShotTask)
        -> ([Tensor]) -> Tensor {
        { tensors in
            let trainable = Parameters(names: names, tensors: tensors)
            let (theta, stepSizes) = MetaLearner.split(trainable)
            let inner = SupportSetAdaptation(steps: steps, stepSize: alpha, createGraph: true)
            let adapted = inner.adapt(theta, stepSizes: learned ? stepSizes : nil, model: model,
                                      inputs: task.supportInputs, targets: task.supportTargets)
            return model.loss(adapted.parameters, task.queryInputs, task.queryTargets)
        }
    }

    func checkMAML(steps: Int, learnStepSize: Bool) {
        let (theta, task) = Self.setUp()
        var settings = MetaLearnerSettings()
        settings.innerSteps = steps
        settings.innerStepSize = 0.1
        settings.learnInnerStepSize = learnStepSize
        let learner = MetaLearner(algorithm: .maml, settings: settings, model: Self.model, initialParameters: theta)
        let analytic = learner.metaGradient(on: [task]).gradient
        let f = Self.postAdaptationLoss(learner.trainable.names, steps: steps, alpha: 0.1, learned: learnStepSize, task: task)
        let numeric = GradientCheck.numericalGradients(f, at: learner.trainable.tensors, step: 1e-2)
        let error = GradientCheck.maxRelativeError(analytic.tensors.map { $0.scalars.map(Double.init) }, numeric)
        #expect(error < 3e-3, "MAML \(steps) step(s)\(learnStepSize ? " with learned α" : ""): meta-gradient off by \(error)")
    }

    @Test func mamlOneStepMatchesFiniteDifferences() { checkMAML(steps: 1, learnStepSize: false) }
    @Test func mamlTwoStepsMatchFiniteDifferences() { checkMAML(steps: 2, learnStepSize: false) }
    @Test func metaSGDGradientIncludesStepSizes() { checkMAML(steps: 2, learnStepSize: true) }

    @Test func secondOrderTermsMatter() {
        // With SiLU, MAML's and first-order MAML's gradients must differ (the Hessian term).
        let (theta, task) = Self.setUp()
        var settings = MetaLearnerSettings()
        settings.innerStepSize = 0.1
        let maml = MetaLearner(algorithm: .maml, settings: settings, model: Self.model, initialParameters: theta)
        let fo = MetaLearner(algorithm: .fomaml, settings: settings, model: Self.model, initialParameters: theta)
        let a = maml.metaGradient(on: [task]).gradient.flattened(), b = fo.metaGradient(on: [task]).gradient.flattened()
        let difference = (a - b).square().sum().scalar.squareRoot() / a.square().sum().scalar.squareRoot()
        #expect(difference > 1e-3, "second-order and first-order gradients agree to \(difference): Hessian term missing")
    }

    @Test func firstOrderGradientIsQueryGradientAtAdaptedParameters() {
        let (theta, task) = Self.setUp()
        var settings = MetaLearnerSettings()
        settings.innerSteps = 3
        settings.innerStepSize = 0.05
        let learner = MetaLearner(algorithm: .fomaml, settings: settings, model: Self.model, initialParameters: theta)
        let metaGradient = learner.metaGradient(on: [task]).gradient

        // θ′ by hand: three plain gradient steps, then the query gradient at θ′.
        var adapted = theta
        for _ in 0..<3 {
            let leaves = adapted.requiringGradient()
            let g = gradients(of: Self.model.loss(leaves, task.supportInputs, task.supportTargets), wrt: leaves)
            adapted = adapted.zip(g) { $0 - 0.05 * $1 }
        }
        let leaves = adapted.requiringGradient()
        let queryGradient = gradients(of: Self.model.loss(leaves, task.queryInputs, task.queryTargets), wrt: leaves)
        for (name, (a, b)) in zip(theta.names, zip(metaGradient.tensors, queryGradient.tensors)) {
            #expect(isClose(a, b, tolerance: 1e-5), "first-order MAML gradient of \(name) differs from the query gradient at θ′")
        }
    }

    @Test func reptileUpdateIsEpsilonTimesDifference() {
        let (theta, task) = Self.setUp()
        var settings = MetaLearnerSettings()
        settings.reptileInnerSteps = 4
        settings.reptileInnerStepSize = 0.03
        settings.metaOptimizer = .sgd
        settings.metaStepSize = 0.25  // ε
        var learner = MetaLearner(algorithm: .reptile, settings: settings, model: Self.model, initialParameters: theta)
        learner.step(on: [task])

        // θ̃: four SGD steps on the task's pooled points; the update must be ε·(θ̃ − θ).
        var tilde = theta
        for _ in 0..<4 {
            let leaves = tilde.requiringGradient()
            let g = gradients(of: Self.model.loss(leaves, task.allInputs, task.allTargets), wrt: leaves)
            tilde = tilde.zip(g) { $0 - 0.03 * $1 }
        }
        let expected = theta.zip(tilde) { $0 + 0.25 * ($1 - $0) }
        for (name, (a, b)) in zip(theta.names, zip(learner.parameters.tensors, expected.tensors)) {
            #expect(isClose(a, b, tolerance: 1e-5), "Reptile update of \(name) is not ε(θ̃ − θ)")
        }
    }

    /// The meta-batch's gradient is the mean of each task's, each computed here independently of
    /// the learner: the autodiff's gradient of the post-adaptation query loss as a function of θ.
    @Test func metaBatchAveragesTaskGradients() {
        var rng = Xoshiro256(seed: 11)
        let theta = Self.mlp.initialParameters(using: &rng)
        let tasks = SinusoidTaskFamily().sampleTasks(3, shots: 4, queryPoints: 4, using: &rng)
        var settings = MetaLearnerSettings()
        settings.innerStepSize = 0.1
        let learner = MetaLearner(algorithm: .maml, settings: settings, model: Self.model, initialParameters: theta)
        let batch = learner.metaGradient(on: tasks).gradient.flattened()
        let perTask = tasks.map { task -> Tensor in
            let leaves = theta.tensors.map { $0.requiringGradient() }
            let loss = Self.postAdaptationLoss(theta.names, steps: 1, alpha: 0.1, learned: false, task: task)(leaves)
            return Parameters(names: theta.names, tensors: gradients(of: loss, wrt: leaves)).flattened()
        }
        let mean = perTask.dropFirst().reduce(perTask[0], +) / 3
        #expect(isClose(batch, mean, tolerance: 1e-5))
        #expect(!isClose(batch, perTask[0], tolerance: 1e-3), "the tasks' gradients differ, so the mean is a real check")
    }
    /// The task-batched graph (one batched product per layer for the whole meta-batch) gives the
    /// loop-over-tasks meta-gradient and log, for every variant that takes it (Reptile: its own
    /// inner steps, set in its settings).
    @Test(arguments: [(Method.maml, 1, false, false), (.maml, 2, false, false), (.maml, 3, false, true),
                      (.maml, 2, true, false), (.fomaml, 2, false, false), (.reptile, 0, false, false)])
    func taskBatchedMetaGradientEqualsTheLoopOverTasks(algorithm: Method, steps: Int, learnStepSize: Bool, multiStep: Bool) {
        var rng = Xoshiro256(seed: 11)
        let theta = Self.mlp.initialParameters(using: &rng)
        let tasks = SinusoidTaskFamily().sampleTasks(4, shots: 5, queryPoints: 7, using: &rng)
        var settings = MetaLearnerSettings()
        settings.innerSteps = steps
        settings.innerStepSize = 0.1
        settings.learnInnerStepSize = learnStepSize
        settings.multiStepLoss = multiStep
        let batchedModel = FunctionalModel(loss: .meanSquaredError, batchesTasks: true) { p, x in Self.mlp(x, p) }
        let loop = MetaLearner(algorithm: algorithm, settings: settings, model: Self.model, initialParameters: theta)
        let batched = MetaLearner(algorithm: algorithm, settings: settings, model: batchedModel, initialParameters: theta)
        #expect(TaskBatch(tasks)?.supportInputs.shape == [4, 5, 1])
        let (a, logA) = loop.metaGradient(on: tasks), (b, logB) = batched.metaGradient(on: tasks)
        #expect(a.names == b.names)
        let error = GradientCheck.maxRelativeError(a.tensors.map { $0.scalars.map(Double.init) }, b.tensors.map { $0.scalars.map(Double.init) })
        #expect(error < 1e-4, "batched meta-gradient off by \(error)")
        for (x, y) in [(logA.metaLoss, logB.metaLoss), (logA.preAdaptationLoss, logB.preAdaptationLoss),
                       (logA.postAdaptationLoss, logB.postAdaptationLoss), (logA.adaptationGradientNorm, logB.adaptationGradientNorm)] {
            #expect(abs(x - y) <= 1e-5 * max(1, abs(x)), "log: \(x) vs \(y)")
        }
    }

    @Test func tasksOfDifferentShapesDoNotStack() {
        var rng = Xoshiro256(seed: 12)
        let five = SinusoidTaskFamily().sampleTasks(1, shots: 5, queryPoints: 7, using: &rng)
        let ten = SinusoidTaskFamily().sampleTasks(1, shots: 10, queryPoints: 7, using: &rng)
        #expect(TaskBatch(five + ten) == nil && TaskBatch([]) == nil)
    }
}
