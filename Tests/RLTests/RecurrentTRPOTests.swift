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

    /// Tasks stacked into one batch (trials of different lengths padded with masked rows) give
    /// the mean over tasks of each task's own surrogate and KL, and their gradients; a step with
    /// one stack and with one per task agree.
    @Test func stackedTasksGiveTheMeanOfEachTasksObjective() throws {
        var rng = Xoshiro256(seed: 3)
        let theta = Self.policy.initialParameters(initialLogStd: -0.5, using: &rng)
        let learner = RecurrentTRPO(policy: Self.policy)
        let all = try trials(theta) + [TrialSampler(envName: "navigation-2d", policy: Self.policy, trialsPerTask: 3, episodesPerTrial: 2, workers: 1)
            .sample(task: .goalPosition(x: 0.05, y: 0.05), parameters: theta, seed: 99)]
        #expect(Set(all.map(\.length)).count > 1 || Set(all.map(\.count)).count > 1, "the stack should mix shapes")
        let advantages = all.map { $0.advantages(gamma: 0.99, lambda: 1) }
        let oldLogStd = theta[GaussianGRUPolicy.logStdName]
        func batch(_ tasks: [Int]) -> RecurrentTRPO.Batch {
            RecurrentTRPO.Batch(tasks.map { all[$0] }, advantages: tasks.map { advantages[$0] }, taskCount: all.count) { inputs, masks in
                withoutGradients { Tensor.concatenate(Self.policy.means(inputs, masks: masks, theta), axis: 0) }
            }
        }
        // A nearby θ, so that ratios and the KL are not trivially 1 and 0.
        let moved = theta.map { $0 + 0.05 * Tensor.randomNormal($0.shape, using: &rng) }.requiringGradient()
        let stacked = learner.objective(moved, batch(Array(all.indices)), oldLogStd: oldLogStd)
        let separate = all.indices.map { learner.objective(moved, batch([$0]), oldLogStd: oldLogStd) }
        let sum = { (f: ((surrogate: Tensor, kl: Tensor)) -> Tensor) in separate.dropFirst().reduce(f(separate[0])) { $0 + f($1) } }
        #expect(abs(stacked.surrogate.scalar - sum(\.surrogate).scalar) < 1e-5)
        #expect(abs(stacked.kl.scalar - sum(\.kl).scalar) < 1e-6 && stacked.kl.scalar > 1e-4)
        let g1 = gradients(of: stacked.surrogate, wrt: moved).flattened(), g2 = gradients(of: sum(\.surrogate), wrt: moved).flattened()
        #expect(isClose(g1, g2, tolerance: 1e-4))
        // The whole TRPO step: conjugate gradient amplifies the products' rounding, which differs
        // with how the stack is split (and with the BLAS kernel), so the steps agree relatively (the
        // exact check of the stacking is the gradient's, above).
        let (one, _) = learner.step(theta, trials: all, workers: 1)
        let (three, _) = learner.step(theta, trials: all, workers: 3)
        let a = one.flattened(), b = three.flattened()
        let relative = ((a - b).square().sum().scalar / a.square().sum().scalar).squareRoot()
        #expect(relative < 5e-3, "steps differ by \(relative) relative")  // 5.6e-4 measured on a Zen kernel
    }
}
