import Testing
import Foundation
import Envs
import Config
@testable import RL
import TestSupport

/// Meta-gradient RL (Xu et al. 2018): the λ-return by hand and by finite differences in (γ, λ),
/// the meta-gradient of η through the agent's update against finite differences, fixed η staying
/// fixed, and a resumed run continuing with the numbers of an uninterrupted one.
@Suite(.serialized) struct MetaGradientRLTests {
    func tinyConfig() -> MetaGradientConfig {
        var c = MetaGradientConfig()
        c.env = "half-cheetah-dir"
        c.task = "1"
        c.hiddenSizes = [6]
        c.criticHiddenSizes = [5]
        c.episodesPerIteration = 4
        c.iterations = 4
        c.checkpointEvery = 2
        c.envConfig.horizon = 8
        return c
    }

    /// Two episodes of three steps, the second ending after two (time-major rows t·K + k).
    func episodes() -> Episodes {
        Episodes(task: .direction(1), count: 2, length: 3, observations: Tensor.zeros([6, 1]), actions: Tensor.zeros([6, 1]),
                 rewards: [1, 2, 0, 1, 2, 0], masks: [1, 1, 1, 1, 1, 0], logProbabilities: Tensor.zeros([6]))
    }

    @Test func lambdaReturnMatchesAHandWorkedExample() {
        // Episode 0: r = [1, 0, 2], v = [0.5, 1, 3]; γ = 0.9, λ = 0.5.
        //   G2 = 2; G1 = 0 + 0.9(0.5·3 + 0.5·2) = 2.25; G0 = 1 + 0.9(0.5·1 + 0.5·2.25) = 2.4625
        // Episode 1: r = [2, 1], v = [4, 2]: G1 = 1; G0 = 2 + 0.9(0.5·2 + 0.5·1) = 3.35
        let values: [Float] = [0.5, 4, 1, 2, 3, 0]
        let g = lambdaReturns(episodes(), values: values, gamma: Tensor(0.9), lambda: Tensor(0.5))
        let expected: [Float] = [2.4625, 3.35, 2.25, 1, 2, 0]
        #expect(zip(g.scalars, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(g.scalars)")
        // λ = 1 is the Monte-Carlo return, λ = 0 one-step TD.
        let mc = lambdaReturns(episodes(), values: values, gamma: Tensor(0.9), lambda: Tensor(1)).scalars
        #expect(abs(mc[0] - (1 + 0.9 * 0 + 0.81 * 2)) < 1e-5)
        let td = lambdaReturns(episodes(), values: values, gamma: Tensor(0.9), lambda: Tensor(0)).scalars
        #expect(abs(td[0] - (1 + 0.9 * 1)) < 1e-5)
    }

    @Test func lambdaReturnIsDifferentiableInGammaAndLambdaToSecondOrder() {
        let values: [Float] = [0.5, 4, 1, 2, 3, 0]
        let weights = Tensor([0.3, -1, 2, 0.5, -0.7, 1.1])
        let f: ([Tensor]) -> Tensor = { eta in (lambdaReturns(self.episodes(), values: values, gamma: eta[0], lambda: eta[1]) * weights).sum() }
        let at = [Tensor(0.9), Tensor(0.6)]
        #expect(GradientCheck.maxError(f, at: at) < 2e-3)
        // The gradient itself, differentiated again.
        let g: ([Tensor]) -> Tensor = { eta in
            let leaves = eta.map { $0.isTracked ? $0 : $0.requiringGradient() }
            return gradients(of: f(leaves), wrt: leaves, createGraph: true).reduce(Tensor(0), +)
        }
        #expect(GradientCheck.maxError(g, at: at) < 2e-3)
    }

    /// The learner's dJ′/d logit(η) equals finite differences of J′(τ′, θ′(η)) with
    /// θ′(η) = θ′ − P ⊙ (∇θ L(η) − ∇θ L(η₀)): the update's dependence on η through its gradient,
    /// Adam's second moment held constant as the method prescribes.
    @Test func metaGradientOfEtaMatchesFiniteDifferencesThroughTheUpdate() throws {
        let config = tinyConfig()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-mg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = try MetaGradientTrainer(config: config, runDirectory: folder, resume: false)
        let learner = trainer.learner
        try trainer.train(until: 2)  // Adam past its first step, where the update ignores the gradient's size
        let theta = learner.policyParameters, critic = learner.criticParameters, logits = learner.returnLogits
        let eta = learner.returnParameters
        let batch = try trainer.sample(theta, eta: [eta.gamma, eta.lambda], iteration: 50)
        let next = try trainer.sample(theta, eta: [eta.gamma, eta.lambda], iteration: 51)
        let (_, log) = try learner.step(batch) { _, _ in next }
        let updated = learner.policyParameters, criticAfter = learner.criticParameters
        let step = learner.policyOptimizer.stepPerUnitGradient()

        func policyGradient(_ x: [Float]) -> Parameters {
            let e = Tensor(x).sigmoid()
            let leaves = theta.requiringGradient()
            let (loss, _, _) = learner.agentLoss(batch, leaves, critic.requiringGradient(),
                                                 gamma: e.sliced(axis: 0, 0..<1).reshaped([]), lambda: e.sliced(axis: 0, 1..<2).reshaped([]))
            return gradients(of: loss, wrt: leaves)
        }
        let base = policyGradient(logits.scalars)
        func objective(_ x: [Float]) -> Double {
            let shifted = updated.zip(policyGradient(x).zip(base) { $0 - $1 }.zip(step) { $0 * $1 }) { $0 - $1 }
            var total = 0.0
            for episodes in next.episodes {
                let v = withoutGradients { learner.values(episodes, eta: next.eta, criticAfter) }
                let g = lambdaReturns(episodes, values: v.scalars, gamma: Tensor(config.referenceGamma), lambda: Tensor(config.referenceLambda))
                let logp = learner.policy.logProbability(observations: episodes.observations, actions: episodes.actions,
                                                         learner.acting(shifted, eta: next.eta))
                total += Double(maskedMean(logp * (g - v), episodes).scalar)
            }
            return total / Double(next.episodes.count)
        }
        // Five-point differences with a wide step: J′ is large beside its change, and float.
        let h: Float = 0.2
        let numeric: [Double] = (0..<2).map { i in
            let at = { (d: Float) -> Double in var x = logits.scalars; x[i] += d; return objective(x) }
            return (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / Double(12 * h)
        }
        let analytic = [log.metaGradientGamma, log.metaGradientLambda]
        // Relative to the larger component: the two differ by orders of magnitude, and are small.
        let scale = numeric.map(abs).max()!
        #expect(scale > 1e-7, "finite differences \(numeric) vanish: nothing is tested")
        for (a, n) in zip(analytic, numeric) {
            #expect(abs(a - n) < 0.02 * scale, "meta-gradient \(analytic) vs finite differences \(numeric)")
        }
    }

    @Test func fixedReturnStaysFixedAndLearnedReturnMoves() throws {
        for learn in [false, true] {
            var config = tinyConfig()
            config.learnReturn = learn
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-mg-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let trainer = try MetaGradientTrainer(config: config, runDirectory: folder, resume: false)
            try trainer.train()
            let eta = trainer.learner.returnParameters
            let moved = abs(eta.gamma - config.gamma) > 1e-6 || abs(eta.lambda - config.lambda) > 1e-6
            #expect(moved == learn, "learnReturn \(learn): η = \(eta)")
        }
    }

    @Test func resumedRunEqualsAnUninterruptedOne() throws {
        let config = tinyConfig()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-mg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let whole = try MetaGradientTrainer(config: config, runDirectory: root.appendingPathComponent("whole"), resume: false)
        try whole.train()
        let first = try MetaGradientTrainer(config: config, runDirectory: root.appendingPathComponent("split"), resume: false)
        try first.train(until: 2)
        let resumed = try MetaGradientTrainer(config: config, runDirectory: root.appendingPathComponent("split"), resume: true)
        #expect(resumed.iteration == 2)
        try resumed.train()
        #expect(resumed.learner.policyParameters.flattened().scalars == whole.learner.policyParameters.flattened().scalars)
        #expect(resumed.learner.returnLogits.scalars == whole.learner.returnLogits.scalars)
        let rows = { (run: String) in
            try String(contentsOf: root.appendingPathComponent(run).appendingPathComponent("progress.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",").prefix(10).joined(separator: ",") }
        }
        #expect(try rows("split") == rows("whole"))
        // A damaged checkpoint is refused, not half-loaded.
        let url = resumed.checkpointURL
        var data = try Data(contentsOf: url)
        data[data.count - 5] ^= 0x40
        try data.write(to: url)
        #expect(throws: (any Error).self) { try MetaGradientTrainer(config: config, runDirectory: root.appendingPathComponent("split"), resume: true) }
    }
}
