import Foundation
import Testing
@testable import RL
import TestSupport

/// RL²'s recurrent policy: the state carries a trial's history (and only its own trial's), acting
/// step by step gives the means the whole-trial graph gives, and the log-probability and KL are
/// differentiable through the recurrence to second order (TRPO's Fisher-vector products).
@Suite struct GaussianGRUPolicyTests {
    static let policy = GaussianGRUPolicy(observationSize: 2, actionSize: 2, hiddenSize: 4)

    static func trial(rows: Int, steps: Int, seed: UInt64) -> [Tensor] {
        var rng = Xoshiro256(seed: seed)
        return (0..<steps).map { _ in Tensor.randomNormal([rows, policy.inputSize], using: &rng) }
    }

    @Test func actingStepByStepGivesTheTrialsMeans() {
        var rng = Xoshiro256(seed: 1)
        let p = Self.policy.initialParameters(using: &rng)
        let inputs = Self.trial(rows: 3, steps: 5, seed: 2)
        let whole = Self.policy.means(inputs, p)
        var state = Self.policy.initialState(rows: 3)
        for (x, expected) in zip(inputs, whole) {
            let (next, means) = Self.policy.step(state: state, inputs: x, p)
            state = next
            #expect(isClose(means, expected, tolerance: 1e-6))
        }
        #expect(Self.policy.input(observation: [1, 2], previousAction: [3, 4], previousReward: 5, previousDone: true) == [1, 2, 3, 4, 5, 1])
    }

    @Test func theStateCarriesATrialsHistoryAndOnlyItsOwn() {
        var rng = Xoshiro256(seed: 3)
        let p = Self.policy.initialParameters(using: &rng)
        var inputs = Self.trial(rows: 2, steps: 6, seed: 4)
        let before = Self.policy.means(inputs, p)
        // Change what trial 0 saw at its first step: its later means change, trial 1's do not.
        inputs[0] = inputs[0] + Tensor(shape: [2, Self.policy.inputSize], scalars: [1, 1, 1, 1, 1, 1] + [0, 0, 0, 0, 0, 0])
        let after = Self.policy.means(inputs, p)
        #expect(!isClose(before[5].sliced(axis: 0, 0..<1), after[5].sliced(axis: 0, 0..<1), tolerance: 1e-4))
        #expect(isClose(before[5].sliced(axis: 0, 1..<2), after[5].sliced(axis: 0, 1..<2), tolerance: 0))
    }

    /// log π and the KL through four steps of recurrence against finite differences: first order
    /// (the policy gradient) and second order (the Fisher-vector products).
    @Test func derivativesThroughTheTrialMatchFiniteDifferences() {
        var rng = Xoshiro256(seed: 5)
        let p = Self.policy.initialParameters(initialLogStd: -0.3, using: &rng)
        let inputs = Self.trial(rows: 2, steps: 4, seed: 6)
        let actions = Tensor.randomNormal([8, 2], using: &rng)
        let oldMeans = Tensor.randomNormal([8, 2], using: &rng)
        let oldLogStd = Tensor(shape: [2], scalars: [-0.2, 0.1])
        let names = p.names
        let logProb = { (t: [Tensor]) -> Tensor in
            Self.policy.logProbability(inputs: inputs, actions: actions, Parameters(names: names, tensors: t)).mean()
        }
        let kl = { (t: [Tensor]) -> Tensor in
            Self.policy.kl(inputs: inputs, oldMeans: oldMeans, oldLogStd: oldLogStd, Parameters(names: names, tensors: t)).mean()
        }
        for (name, f) in [("log π", logProb), ("KL", kl)] {
            for order in 1...2 {
                let error = GradientCheck.maxError(order: order, f, at: p.tensors)
                #expect(error < 3e-3, "\(name), order \(order): relative error \(error)")
            }
        }
    }
}
