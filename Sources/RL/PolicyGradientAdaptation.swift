import Envs

/// The inner loop of MAML-RL (Finn et al. 2017, Algorithm 3): θ′ = θ − α ∇θ L(θ), repeated, each
/// step's loss on its own batch of episodes. For a policy with a context (CAVIA, Zintgraf et al.
/// 2019) the same loop starts every task from φ = 0 and steps φ alone: φ′ = φ − α ∇φ L(θ, φ).
public struct PolicyGradientAdaptation: Sendable {
    public var policy: GaussianMLPPolicy
    /// Step size of each adaptation step (α₁, α₂, …); the last is reused for further steps.
    public var stepSizes: [Float]
    public var gamma: Float
    public var lambda: Float

    public init(policy: GaussianMLPPolicy, stepSizes: [Float], gamma: Float = 0.99, lambda: Float = 1) {
        require(!stepSizes.isEmpty, "PolicyGradientAdaptation: at least one step size")
        self.policy = policy
        self.stepSizes = stepSizes
        self.gamma = gamma
        self.lambda = lambda
    }

    public func stepSize(_ step: Int) -> Float { stepSizes[Swift.min(step, stepSizes.count - 1)] }

    /// α for the first step and α/2 for every later one: how cbfinn/maml_rl's test scripts adapt
    /// (`init_learning_rate` α, then `learning_rate` α/2). Meta-training with several inner steps
    /// uses the same schedule, so a policy is tested with the steps it was trained with.
    public static func halvingSchedule(_ alpha: Float) -> [Float] { [alpha, alpha / 2] }

    /// One policy-gradient step from `parameters` on `batch`. With `createGraph`, the result is a
    /// differentiable function of `parameters` (second-order MAML); without, the gradient is a
    /// constant (first-order MAML), and θ′ still depends on θ through the identity.
    public func step(_ parameters: Parameters, on batch: AdaptationBatch, index: Int, createGraph: Bool) -> Parameters {
        let parameters = policy.withContext(parameters)
        let tracked = parameters.tensors.allSatisfy(\.isTracked) ? parameters : parameters.requiringGradient()
        return update(parameters, projected(gradient(tracked, on: batch, createGraph: createGraph)), index: index)
    }

    /// x − α_k g.
    func update(_ parameters: Parameters, _ g: Parameters, index: Int) -> Parameters {
        let alpha = stepSize(index)
        return parameters.zip(g) { $0 - alpha * $1 }
    }

    /// M g: the gradient kept on the parameters the inner loop adapts and zero on the others (the
    /// projection of θ_k = θ_{k−1} − α M ∇L; the identity for MAML, the context for CAVIA).
    func projected(_ g: Parameters) -> Parameters {
        guard let names = policy.adaptedNames else { return g }
        return Parameters(names: g.names, tensors: zip(g.names, g.tensors).map { names.contains($0) ? $1 : Tensor.zeros($1.shape) })
    }

    /// ∇L(θ) of the inner loss on `batch`, at tracked `parameters`.
    public func gradient(_ parameters: Parameters, on batch: AdaptationBatch, createGraph: Bool) -> Parameters {
        let loss = policy.reinforceLoss(batch.episodes, advantages: batch.advantages, parameters)
        return gradients(of: loss, wrt: parameters, createGraph: createGraph)
    }

    /// θ′ after one step per batch, in order: the meta-objective as a function of θ.
    public func adapt(_ parameters: Parameters, on batches: [AdaptationBatch], createGraph: Bool) -> Parameters {
        var current = parameters
        for (i, batch) in batches.enumerated() {
            current = step(current, on: batch, index: i, createGraph: createGraph)
        }
        return current
    }

    /// Samples and adapts for real: before every step, a NEW batch is sampled with the current
    /// adapted parameters, then the step is taken; finally a batch is sampled with θ′.
    /// Returns the batches used for adaptation and the post-adaptation batch (evaluation and the
    /// meta-objective both read them).
    public func rollOut(task: Task, from parameters: Parameters, steps: Int, sampler: Sampler,
                        seed: UInt64, worker: Int) throws -> TaskRollout {
        var rng = Xoshiro256(seed: seed)
        var current = policy.withContext(parameters).detached()
        var batches: [AdaptationBatch] = []
        var path = [current]
        var gradientNorms: [Double] = []
        for i in 0..<steps {
            let episodes = try sampler.sample(task: task, parameters: current, seed: rng.next(), worker: worker)
            let batch = AdaptationBatch(episodes: episodes, advantages: Tensor(episodes.advantages(gamma: gamma, lambda: lambda)))
            batches.append(batch)
            let g = projected(gradient(current.requiringGradient(), on: batch, createGraph: false))
            gradientNorms.append(Double(g.tensors.reduce(Float(0)) { $0 + $1.sumOfSquares() }).squareRoot())
            current = update(current, g, index: i).detached()
            path.append(current)
        }
        let after = try sampler.sample(task: task, parameters: current, seed: rng.next(), worker: worker)
        let validation = AdaptationBatch(episodes: after, advantages: Tensor(after.advantages(gamma: gamma, lambda: lambda)))
        return TaskRollout(task: task, adaptation: batches, validation: validation, parameters: path, gradientNorms: gradientNorms)
    }
}

/// A batch of episodes with its (normalised) advantages.
public struct AdaptationBatch: Sendable {
    public let episodes: Episodes
    public let advantages: Tensor
}

/// What one task's adaptation produced: the batch of each adaptation step (the first sampled with
/// θ), the batch sampled after adaptation, and θ′.
public struct TaskRollout: Sendable {
    public let task: Task
    public let adaptation: [AdaptationBatch]
    public let validation: AdaptationBatch
    /// θ, then the parameters after each adaptation step.
    public let parameters: [Parameters]
    /// ‖∇θ L‖ of each adaptation step's inner loss (empty where not recorded).
    public var gradientNorms: [Double] = []

    /// The parameters after the last adaptation step.
    public var adapted: Parameters { parameters.last! }

    /// Mean return of the batch sampled before any adaptation (or after, if there were no steps).
    public var returnBefore: Double { (adaptation.first ?? validation).episodes.meanReturn }
    public var returnAfter: Double { validation.episodes.meanReturn }
    public var stepCount: Int { adaptation.reduce(validation.episodes.stepCount) { $0 + $1.episodes.stepCount } }
}
