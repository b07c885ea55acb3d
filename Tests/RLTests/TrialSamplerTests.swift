import Foundation
import Testing
import Envs
@testable import RL
import TestSupport

/// RL²'s trials on a real env: a trial is several episodes of one task with the GRU state kept
/// across them, the done flag and the previous reward reach the policy, the acting policy's
/// log-probabilities equal the whole-trial graph's (so TRPO can differentiate what was sampled),
/// and the same seed gives the same trials on any worker.
@Suite struct TrialSamplerTests {
    static let policy = GaussianGRUPolicy(observationSize: 2, actionSize: 2, hiddenSize: 8)

    static func sampler() throws -> TrialSampler {
        try TrialSampler(envName: "navigation-2d", policy: policy, trialsPerTask: 3, episodesPerTrial: 2, workers: 2)
    }

    @Test func trialsAreEpisodesInARowWithTheirFlags() throws {
        var rng = Xoshiro256(seed: 1)
        let p = Self.policy.initialParameters(using: &rng)
        let trials = try Self.sampler().sample(task: .goalPosition(x: 0.3, y: -0.2), parameters: p, seed: 9)
        #expect(trials.length == 200 && trials.episodeOfStep == Array(repeating: 0, count: 100) + Array(repeating: 1, count: 100))
        #expect(trials.episodeReturns.count == 2 && trials.episodeReturns.allSatisfy { $0.count == 3 })
        let inputSize = Self.policy.inputSize
        // First step of the trial: no previous action, reward or end; first step of its second
        // episode: the done flag set and the first episode's last reward given.
        #expect(trials.inputs[0].scalars.enumerated().allSatisfy { $0.offset % inputSize < 2 || $0.element == 0 })
        let second = trials.inputs[100].scalars
        for k in 0..<3 {
            #expect(second[k * inputSize + inputSize - 1] == 1)
            #expect(second[k * inputSize + inputSize - 2] == trials.rewards[99 * 3 + k])
        }
        // The recorded log-probabilities are the whole-trial graph's.
        let recomputed = Self.policy.logProbability(inputs: trials.inputs, masks: trials.masks, actions: trials.actions, p)
        #expect(isClose(recomputed, trials.logProbabilities, tolerance: 1e-4))
    }

    @Test func theSameSeedGivesTheSameTrialsOnAnyWorker() throws {
        var rng = Xoshiro256(seed: 2)
        let p = Self.policy.initialParameters(using: &rng)
        let sampler = try Self.sampler()
        let a = try sampler.sample(task: .goalPosition(x: -0.1, y: 0.4), parameters: p, seed: 5, worker: 0)
        let b = try sampler.sample(task: .goalPosition(x: -0.1, y: 0.4), parameters: p, seed: 5, worker: 1)
        #expect(a.actions.scalars == b.actions.scalars && a.rewards == b.rewards)
        #expect(a.meanReturnPerEpisode.allSatisfy { $0.isFinite })
    }

    /// A trial's episodes that end at different times (the quadruped falls) keep their state while
    /// masked: the masked rows' states do not move, and the graph reproduces the acting policy.
    @Test func maskedRowsKeepTheirStateAndTheGraphAgrees() throws {
        let policy = GaussianGRUPolicy(observationSize: 2, actionSize: 2, hiddenSize: 3)
        var rng = Xoshiro256(seed: 3)
        let p = policy.initialParameters(using: &rng)
        let inputs = (0..<4).map { _ in Tensor.randomNormal([2, policy.inputSize], using: &rng) }
        let masks = [[1, 1], [1, 0], [1, 0], [1, 1]].map { Tensor(shape: [2, 1], scalars: $0.map(Float.init)) }
        var state = policy.initialState(rows: 2), states: [Tensor] = []
        for (x, m) in zip(inputs, masks) {
            state = policy.step(state: state, inputs: x, mask: m, p).state
            states.append(state)
        }
        #expect(states[1].sliced(axis: 0, 1..<2).scalars == states[0].sliced(axis: 0, 1..<2).scalars)
        #expect(states[2].sliced(axis: 0, 1..<2).scalars == states[0].sliced(axis: 0, 1..<2).scalars)
        #expect(states[3].sliced(axis: 0, 1..<2).scalars != states[0].sliced(axis: 0, 1..<2).scalars)
        let graph = policy.means(inputs, masks: masks, p)
        for (t, s) in states.enumerated() { #expect(isClose(graph[t], withoutGradients { policy.head(s, p) }, tolerance: 1e-6)) }
    }
}
