import Foundation
import Testing
import Envs
@testable import RL
import TestSupport

/// RL²'s outer loop on real trials: advantages over whole trials, and a TRPO step through the
/// recurrence that improves its surrogate inside the trust region.
@Suite struct RecurrentTRPOTests {
    static let policy = GaussianGRUPolicy(observationSize: 2, actionSize: 2, hiddenSize: 8)

    func trials(_ theta: Parameters) throws -> [Trials] {
        let sampler = try TrialSampler(envName: "navigation-2d", policy: Self.policy, trialsPerTask: 4, episodesPerTrial: 2, workers: 1)
        return try [Task.goalPosition(x: 0.3, y: -0.2), .goalPosition(x: -0.4, y: 0.1)].enumerated().map { i, task in
            try sampler.sample(task: task, parameters: theta, seed: UInt64(10 + i))
        }
    }

    @Test func advantagesAreNormalisedOverTheRealStepsOfWholeTrials() throws {
        var rng = Xoshiro256(seed: 1)
        let theta = Self.policy.initialParameters(using: &rng)
        let t = try trials(theta)[0]
        let a = t.advantages(gamma: 0.99, lambda: 1)
        let real = zip(a, t.rowMasks.scalars).filter { $0.1 > 0 }.map { Double($0.0) }
        let mean = real.reduce(0, +) / Double(real.count)
        let variance = real.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(real.count)
        #expect(real.count == t.length * t.count && abs(mean) < 1e-4 && abs(variance - 1) < 1e-2)
    }

    @Test func aStepImprovesTheSurrogateInsideTheTrustRegion() throws {
        var rng = Xoshiro256(seed: 2)
        let theta = Self.policy.initialParameters(using: &rng)
        let learner = RecurrentTRPO(policy: Self.policy)
        let (next, log) = learner.step(theta, trials: try trials(theta))
        #expect(log.rejection == nil, "\(log.rejection ?? "")")
        #expect(log.surrogateAfter < log.surrogateBefore && log.kl > 0 && log.kl <= Double(learner.trpo.maxKL) * 1.0001)
        #expect(next.isFinite && next.flattened().scalars != theta.flattened().scalars)
    }
}
