import Experiments
import Config
import Envs

/// What a trained policy does at test time, in one place for the demo, `render`, `eval` and the
/// comparison: adapt to a task with the step sizes recorded for it, act with its mean action,
/// and stand in for the random-initialisation baseline.
extension PolicyCheckpoint {
    /// The inner loop this policy adapts with: `stepSizes` if given, else its recorded schedule
    /// (`testStepSizes`), with its config's discount and GAE λ.
    public func adaptation(stepSizes: [Float]? = nil) -> PolicyGradientAdaptation {
        PolicyGradientAdaptation(policy: policy, stepSizes: stepSizes ?? testStepSizes, gamma: config.gamma, lambda: config.gaeLambda)
    }

    /// `steps` policy-gradient steps on `task`, each on K fresh episodes (K = `episodes`, default
    /// the training K), then a batch with the adapted parameters: the whole path θ → θ′.
    public func adapt(to task: Task, steps: Int, seed: UInt64, episodes: Int? = nil, stepSizes: [Float]? = nil) throws -> TaskRollout {
        let sampler = try Sampler(envName: env, envConfig: config.envConfig, policy: policy,
                                  episodesPerTask: episodes ?? config.episodesPerTask, workers: 1)
        return try adaptation(stepSizes: stepSizes).rollOut(task: task, from: parameters, steps: steps, sampler: sampler, seed: seed, worker: 0)
    }

    /// The mean action μ(s) at `parameters` (θ, or an adapted θ′): how a policy acts when shown.
    public func meanAction(_ observation: [Float], at parameters: Parameters) -> [Float] {
        withoutGradients { policy.means(Tensor(shape: [1, observation.count], scalars: observation), parameters).scalars }
    }

    /// The env this policy acts in, set to `task`.
    public func makeEnvironment(task: Task? = nil) throws -> any Env {
        try EnvRegistry.spec(env).make(task: task, config: config.envConfig)
    }

    /// The random-initialisation baseline derived from this (MAML) checkpoint: the same policy
    /// shape with fresh parameters drawn from `seed` (salted, so they differ from any training
    /// draw with that seed), and the step sizes an evaluation recorded for it.
    public func randomBaseline(seed: UInt64) -> PolicyCheckpoint {
        var random = self
        var rng = Xoshiro256(seed: seed ^ 0x5EED)
        random.parameters = policy.initialParameters(initialLogStd: config.initialLogStd, using: &rng)
        random.algorithm = Method.random.rawValue
        random.recordedTestStepSizes = randomBaselineStepSizes
        return random
    }
}
