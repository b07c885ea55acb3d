import Testing
import Foundation
import Envs
@testable import RL
import TestSupport

@Suite struct ConjugateGradientTests {
    @Test func solvesASymmetricPositiveDefiniteSystem() {
        let a = Tensor([[4, 1, 0.5, 0], [1, 3, -0.2, 0.1], [0.5, -0.2, 2, 0.3], [0, 0.1, 0.3, 1.5]])
        let b = Tensor([1, -2, 0.5, 3])
        let (x, ax) = conjugateGradient({ a.matmul($0.reshaped([4, 1])).reshaped([4]) }, b, iterations: 10)
        let product = a.matmul(x.reshaped([4, 1])).reshaped([4])
        let residual = product - b
        #expect(residual.abs().max(axis: 0).scalar < 1e-5, "residual \(residual)")
        #expect((ax - product).abs().max(axis: 0).scalar < 1e-5, "accumulated A x \(ax), direct \(product)")
    }

    @Test func lineSearchTakesTheFirstAcceptableScale() {
        let found = backtrackingLineSearch(ratio: 0.5, maxSteps: 10, { $0 }, accept: { $0 < 0.2 })
        #expect(found?.index == 3 && found?.scale == 0.125)
        #expect(backtrackingLineSearch(ratio: 0.5, maxSteps: 3, { $0 }, accept: { $0 < 0 }) == nil)
    }
}

@Suite struct AdvantageTests {
    @Test func generalizedAdvantagesMatchAHandWorkedExample() {
        // Two episodes, three steps, time-major; the second ends after two steps.
        // Episode 0: r = [1, 0, 2], V = [0.5, 1, 1], γ = 0.9, λ = 0.8.
        //   δ2 = 2 − 1 = 1; δ1 = 0 + 0.9·1 − 1 = −0.1; δ0 = 1 + 0.9·1 − 0.5 = 1.4
        //   A2 = 1; A1 = −0.1 + 0.72·1 = 0.62; A0 = 1.4 + 0.72·0.62 = 1.8464
        // Episode 1: r = [1, 1, pad], V = [2, 0, pad]: δ1 = 1 − 0 = 1; δ0 = 1 + 0 − 2 = −1
        //   A1 = 1; A0 = −1 + 0.72 = −0.28
        let rewards: [Float] = [1, 1, 0, 1, 2, 0]
        let values: [Float] = [0.5, 2, 1, 0, 1, 0]
        let masks: [Float] = [1, 1, 1, 1, 1, 0]
        let a = generalizedAdvantages(rewards: rewards, values: values, masks: masks, episodes: 2, gamma: 0.9, lambda: 0.8)
        let expected: [Float] = [1.8464, -0.28, 0.62, 1, 1, 0]
        #expect(zip(a, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(a)")
        let n = normalized(a, masks: masks)
        let real = zip(n, masks).filter { $0.1 > 0 }.map(\.0)
        #expect(abs(real.reduce(0, +)) < 1e-5 && n[5] == 0)
    }

    @Test func baselineFitSolvesTheRidgeNormalEquations() throws {
        let sampler = try Sampler(envName: "navigation-2d", policy: GaussianMLPPolicy(observationSize: 2, actionSize: 2, hiddenSizes: [8]),
                                  episodesPerTask: 4, workers: 1)
        var rng = Xoshiro256(seed: 5)
        let theta = sampler.policy.initialParameters(using: &rng)
        let episodes = try sampler.sample(task: .goalPosition(x: 0.3, y: -0.2), parameters: theta, seed: 9)
        let targets = episodes.discountedReturns(gamma: 0.99)
        let baseline = LinearFeatureBaseline(regularization: 1e-5)
        let fitted = baseline.fitAndPredict(episodes, targets: targets)
        // At the ridge solution the residual is orthogonal to every feature: Xᵀ(y − Xw) = λw.
        // Check the weaker, solver-independent consequence: the fit is no worse than any nudge of it.
        let (x, width) = baseline.features(episodes)
        func sse(_ values: [Float]) -> Double { zip(values, targets).enumerated().reduce(0.0) { acc, e in
            episodes.masks[e.offset] > 0 ? acc + Double((e.element.0 - e.element.1) * (e.element.0 - e.element.1)) : acc } }
        let best = sse(fitted)
        for j in 0..<width {
            let nudged = fitted.indices.map { r in fitted[r] + 0.01 * Float(x[r * width + j]) }
            #expect(sse(nudged) >= best - 1e-3, "feature \(j) improves the fit")
        }
        // And against the normal equations solved independently (Gaussian elimination in Double).
        var a = [[Double]](repeating: [Double](repeating: 0, count: width + 1), count: width)
        for r in 0..<episodes.masks.count where episodes.masks[r] > 0 {
            for i in 0..<width {
                for j in 0..<width { a[i][j] += x[r * width + i] * x[r * width + j] }
                a[i][width] += x[r * width + i] * Double(targets[r])
            }
        }
        for i in 0..<width { a[i][i] += 1e-5 }
        for c in 0..<width {
            let p = (c..<width).max { abs(a[$0][c]) < abs(a[$1][c]) }!
            a.swapAt(c, p)
            for r in 0..<width where r != c {
                let f = a[r][c] / a[c][c]
                for k in c...width { a[r][k] -= f * a[c][k] }
            }
        }
        let w = (0..<width).map { a[$0][width] / a[$0][$0] }
        let direct = (0..<episodes.masks.count).map { r in episodes.masks[r] > 0 ? (0..<width).reduce(0.0) { $0 + x[r * width + $1] * w[$1] } : 0 }
        let gap = zip(direct, fitted).map { abs($0 - Double($1)) }.max()!
        #expect(gap < 1e-2, "baseline differs from the normal equations' solution by \(gap)")
    }
}

@Suite struct MetaGradientTests {
    /// A tiny policy and fixed episodes: the meta-objective as a function of θ alone. With a
    /// context, CAVIA's: the inner loop steps only φ (from 0), and θ is meta-trained through it.
    func fixture(steps: Int = 1, hiddenSizes: [Int] = [4], activation: Activation = .tanh, contextSize: Int = 0) throws
        -> (PolicyGradientAdaptation, Parameters, TaskRollout) {
        let policy = GaussianMLPPolicy(observationSize: 2, actionSize: 2, hiddenSizes: hiddenSizes, activation: activation, contextSize: contextSize)
        let sampler = try Sampler(envName: "navigation-2d", envConfig: { var c = EnvConfig(); c.horizon = 6; return c }(),
                                  policy: policy, episodesPerTask: 3, workers: 1)
        var rng = Xoshiro256(seed: 3)
        let theta = policy.initialParameters(initialLogStd: -0.5, using: &rng)
        let inner = PolicyGradientAdaptation(policy: policy, stepSizes: [0.5, 0.3])
        let rollout = try inner.rollOut(task: .goalPosition(x: 0.2, y: 0.4), from: theta, steps: steps, sampler: sampler, seed: 4, worker: 0)
        return (inner, theta, rollout)
    }

    @Test(arguments: [0, 3])
    func metaGradientThroughOneInnerStepMatchesFiniteDifferences(contextSize: Int) throws {
        let (inner, theta, rollout) = try fixture(contextSize: contextSize)
        let metaLoss: ([Tensor]) -> Tensor = { tensors in
            let p = Parameters(names: theta.names, tensors: tensors.map { $0.isTracked ? $0 : $0.requiringGradient() })
            let adapted = inner.adapt(p, on: rollout.adaptation, createGraph: true)
            return inner.policy.surrogateLoss(rollout.validation.episodes, advantages: rollout.validation.advantages, adapted)
        }
        let error = GradientCheck.maxError(metaLoss, at: theta.tensors)
        #expect(error < 5e-3, "meta-gradient relative error \(error)")
    }

    @Test(arguments: [0, 3])
    func klHessianVectorProductThroughAdaptationMatchesFiniteDifferences(contextSize: Int) throws {
        let (inner, theta, rollout) = try fixture(contextSize: contextSize)
        let objective = TaskObjective(rollout, at: theta, inner: inner, firstOrder: false)
        var rng = Xoshiro256(seed: 8)
        let v = theta.map { Tensor.randomNormal($0.shape, using: &rng) }
        let fvp = objective.fisherProduct(v)
        // Finite differences of the exact KL gradient along v, the old policy held fixed.
        func klGradient(at offset: Float) -> Parameters {
            let shifted = theta.zip(v) { ($0 + offset * $1) }.requiringGradient()
            let adapted = inner.adapt(shifted, on: rollout.adaptation, createGraph: true)
            let kl = inner.policy.meanKL(rollout.validation.episodes, oldMeans: objective.oldMeans, oldLogStd: objective.oldLogStd, adapted)
            return gradients(of: kl, wrt: shifted)
        }
        let h: Float = 1e-2
        let (p1, m1, p2, m2) = (klGradient(at: h), klGradient(at: -h), klGradient(at: 2 * h), klGradient(at: -2 * h))
        let numeric: [[Double]] = (0..<theta.count).map { i in
            let near: Tensor = 8 * (p1.tensors[i] - m1.tensors[i])
            let far: Tensor = p2.tensors[i] - m2.tensors[i]
            return ((near - far) / (12 * h)).scalars.map(Double.init)
        }
        let error = GradientCheck.maxRelativeError(fvp.tensors.map { $0.scalars.map(Double.init) }, numeric)
        #expect(error < 5e-3, "Fisher-vector product relative error \(error)")
    }

    /// TRPO's factored chain rules (Jᵀ∇S, Jᵀ(∇²KL)J) equal differentiating through the whole
    /// adaptation graph: the gradient twice, the KL's Hessian-vector product a third time.
    @Test(arguments: [1, 2], [0, 3])
    func factoredProductsEqualDifferentiatingThroughTheAdaptation(steps: Int, contextSize: Int) throws {
        let (inner, theta, rollout) = try fixture(steps: steps, contextSize: contextSize)
        let objective = TaskObjective(rollout, at: theta, inner: inner, firstOrder: false)
        let leaves = theta.requiringGradient()
        let adapted = inner.adapt(leaves, on: rollout.adaptation, createGraph: true)
        let batch = rollout.validation
        let surrogate = inner.policy.surrogateLoss(batch.episodes, advantages: batch.advantages, adapted)
        let kl = inner.policy.meanKL(batch.episodes, oldMeans: objective.oldMeans, oldLogStd: objective.oldLogStd, adapted)
        var rng = Xoshiro256(seed: 9)
        let v = theta.map { Tensor.randomNormal($0.shape, using: &rng) }
        let directFisher = gradients(of: gradients(of: kl, wrt: leaves, createGraph: true).dot(v), wrt: leaves)
        let pairs = [(objective.surrogateGradients, gradients(of: surrogate, wrt: leaves)),
                     (objective.fisherProduct(v), directFisher)]
        for (factored, direct) in pairs {
            let error = GradientCheck.maxRelativeError(factored.tensors.map { $0.scalars.map(Double.init) },
                                                       direct.tensors.map { $0.scalars.map(Double.init) })
            #expect(error < 1e-4, "factored product differs from the direct one by \(error) (\(steps) steps)")
        }
        #expect(isClose(objective.adaptedParameters.flattened(), rollout.adapted.flattened(), tolerance: 1e-6))
    }

    /// The same episodes with the first episode ended after three steps (its later rows padding).
    func padded(_ batch: AdaptationBatch) -> AdaptationBatch {
        let e = batch.episodes
        let masks = e.masks.indices.map { i in i % e.count == 0 && i / e.count >= 3 ? 0 : e.masks[i] }
        let episodes = Episodes(task: e.task, count: e.count, length: e.length, observations: e.observations, actions: e.actions,
                                rewards: e.rewards, masks: masks, logProbabilities: e.logProbabilities)
        return AdaptationBatch(episodes: episodes, advantages: Tensor(episodes.advantages(gamma: 0.99, lambda: 1)))
    }

    /// The tape engine (`MLPTaskObjective`) and the autodiff's graphs (`TaskObjective`) compute the
    /// same surrogate, gradient, Fisher products and line-search values, whatever the number of
    /// inner steps, first or second order, with padded episodes, for ReLU and tanh policies.
    @Test(arguments: [(0, false), (1, false), (2, false), (1, true)], [Activation.tanh, .relu])
    func tapeEngineEqualsTheAutodiff(steps: (Int, Bool), activation: Activation) throws {
        let (count, firstOrder) = steps
        let (inner, theta, sampled) = try fixture(steps: count, hiddenSizes: [5, 4], activation: activation)
        let policy = inner.policy
        var rng = Xoshiro256(seed: 3)
        let rollout = TaskRollout(task: sampled.task, adaptation: sampled.adaptation.map(padded), validation: padded(sampled.validation),
                                  parameters: sampled.parameters)
        let learner = { (engine: MetaGradientEngine) in MAMLTRPO(inner: inner, innerSteps: count, firstOrder: firstOrder, engine: engine) }
        let workspace = MetaWorkspace(policy: policy)
        let flat = theta.flattened().scalars
        let tape = learner(.tape).objective(rollout, at: theta, flat: flat, workspace: workspace)
        let graph = learner(.autodiff).objective(rollout, at: theta, flat: flat, workspace: workspace)
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            let error = GradientCheck.maxRelativeError([a.map(Double.init)], [b.map(Double.init)])
            #expect(error < 1e-4, "\(what): relative error \(error)")
        }
        #expect(abs(tape.surrogate - graph.surrogate) < 1e-6 * max(1, abs(graph.surrogate)))
        close(tape.surrogateGradient, graph.surrogateGradient, "surrogate gradient")
        let v = theta.map { Tensor.randomNormal($0.shape, using: &rng) }.flattened().scalars
        close(tape.fisherProduct(v, workspace: workspace), graph.fisherProduct(v, workspace: workspace), "Fisher-vector product")
        let candidate = zip(flat, v).map { $0 - 0.05 * $1 }
        let (a, b) = (tape.evaluate(candidate, workspace: workspace), graph.evaluate(candidate, workspace: workspace))
        #expect(abs(a.loss - b.loss) < 1e-5 * max(1, abs(b.loss)) && abs(a.kl - b.kl) < 1e-5 * max(1, b.kl), "line search: \(a) vs \(b)")
        #expect(b.kl > 1e-4, "the candidate is away from the centre")
    }

    @Test func firstOrderAdaptationPassesTheOuterGradientStraightThrough() throws {
        let (inner, theta, rollout) = try fixture()
        let leaves = theta.requiringGradient()
        let adapted = inner.adapt(leaves, on: rollout.adaptation, createGraph: false)
        let loss = inner.policy.surrogateLoss(rollout.validation.episodes, advantages: rollout.validation.advantages, adapted)
        let firstOrder = gradients(of: loss, wrt: leaves)
        let atAdapted = adapted.detached().requiringGradient()
        let direct = gradients(of: inner.policy.surrogateLoss(rollout.validation.episodes, advantages: rollout.validation.advantages, atAdapted), wrt: atAdapted)
        #expect(zip(firstOrder.tensors, direct.tensors).allSatisfy { isClose($0, $1, tolerance: 1e-5) })
    }

    /// CAVIA's inner loop moves the context and nothing else, from zero, and the sampler acts
    /// with that context: the episodes' log-probabilities are the policy's at θ and φ′.
    @Test func caviaAdaptsOnlyItsContextFromZero() throws {
        let (inner, theta, rollout) = try fixture(steps: 2, contextSize: 3)
        #expect(theta.names.contains(Context.name) == false)
        #expect(rollout.parameters[0][Context.name].scalars == [0, 0, 0])
        let adapted = rollout.adapted
        #expect(adapted[Context.name].scalars.contains { $0 != 0 })
        for name in theta.names { #expect(adapted[name].scalars == theta[name].scalars, "\(name) moved") }
        let after = rollout.validation.episodes
        #expect(isClose(after.logProbabilities, inner.policy.logProbability(observations: after.observations, actions: after.actions, adapted), tolerance: 1e-5))
        #expect(!isClose(after.logProbabilities, inner.policy.logProbability(observations: after.observations, actions: after.actions, theta), tolerance: 1e-3))
    }

    @Test func episodesAfterAdaptationAreFreshlySampledWithTheAdaptedPolicy() throws {
        let (inner, theta, rollout) = try fixture()
        let before = rollout.adaptation[0].episodes, after = rollout.validation.episodes
        #expect(before.actions.scalars != after.actions.scalars)
        // The post-adaptation batch's log-probabilities are those of θ′, not θ.
        let underAdapted = inner.policy.logProbability(observations: after.observations, actions: after.actions, rollout.adapted)
        let underTheta = inner.policy.logProbability(observations: after.observations, actions: after.actions, theta)
        #expect(isClose(after.logProbabilities, underAdapted, tolerance: 1e-5))
        #expect(!isClose(after.logProbabilities, underTheta, tolerance: 1e-3))
    }
}
