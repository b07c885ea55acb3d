import Envs
import Foundation

/// Meta-gradient RL (Xu, van Hasselt & Silver 2018): an actor-critic agent whose return
/// G^η (`lambdaReturns`) has meta-parameters η = (γ, λ), learned online. Each iteration:
///
/// 1. the agent's update on the batch τ in hand, θ′ = θ − Adam(∇θ L(τ, θ, η)), with L the policy
///    gradient's loss −E[log π(a|s) (G^η − v(s))] plus c·E[(G^η − v_θ(s))²];
/// 2. a fresh batch τ′ sampled with θ′ (it is also the next iteration's τ);
/// 3. the meta-objective J′ = E[log π_θ′(a|s) (G^η̄ − v(s))] on τ′ with the fixed reference
///    η̄, and its derivative in η through the update: dJ′/dη = ∇θ′J′ · dθ′/dη, where
///    dθ′/dη = −P ∂(∇θ L)/∂η and P is Adam's step per unit gradient with its second-moment
///    statistics held constant (as the paper holds RMSProp's); η (as logits, so that γ and λ stay
///    in (0, 1)) then takes an Adam step up that gradient.
///
/// With `learnReturn` false the same learner runs at fixed η: the comparison.
public final class MetaGradientLearner {
    public let config: MetaGradientConfig
    public let policy: GaussianMLPPolicy
    public let critic: MLP
    public private(set) var policyParameters: Parameters
    public private(set) var criticParameters: Parameters
    /// η's logits [γ, λ].
    public private(set) var returnLogits: Tensor
    var policyOptimizer: Adam
    var criticOptimizer: Adam
    var returnOptimizer: Adam

    public init(config: MetaGradientConfig, observationSize: Int, actionSize: Int) {
        self.config = config
        let conditioning = config.conditionOnReturn ? 2 : 0
        policy = GaussianMLPPolicy(observationSize: observationSize, actionSize: actionSize, hiddenSizes: config.hiddenSizes,
                                   contextSize: conditioning)
        critic = MLP(sizes: [observationSize + conditioning] + config.criticHiddenSizes + [1], activation: .tanh)
        var rng = Xoshiro256(seed: config.seed)
        policyParameters = policy.initialParameters(initialLogStd: config.initialLogStd, using: &rng)
        criticParameters = critic.initialParameters(using: &rng)
        returnLogits = Tensor([Self.logit(config.gamma), Self.logit(config.lambda)])
        policyOptimizer = Adam(learningRate: config.learningRate)
        criticOptimizer = Adam(learningRate: config.learningRate)
        returnOptimizer = Adam(learningRate: config.metaLearningRate)
    }

    /// η = (γ, λ) now.
    public var returnParameters: (gamma: Float, lambda: Float) {
        let eta = returnLogits.scalars.map(VectorMath.sigmoid)
        return (eta[0], eta[1])
    }

    static func logit(_ p: Float) -> Float {
        // A fixed η may sit on 0 or 1; only a learned one must lie strictly inside.
        let clamped = Swift.min(Swift.max(p, 1e-7), 1 - 1e-7)
        return Foundation.log(clamped / (1 - clamped))
    }

    /// The policy's parameters as it acts under η: with (γ, λ) as its context when conditioned.
    public func acting(_ parameters: Parameters, eta: [Float]) -> Parameters {
        policy.contextSize == 0 ? parameters
            : parameters.appending(Parameters(names: [Context.name], tensors: [Tensor(shape: [1, 2], scalars: eta)]))
    }

    /// A batch of episodes with the η its policy acted under.
    public struct Batch: Sendable {
        public let episodes: [Episodes]
        public let eta: [Float]
        public var meanReturn: Double { episodes.map(\.meanReturn).reduce(0, +) / Double(max(episodes.count, 1)) }
        public var stepCount: Int { episodes.reduce(0) { $0 + $1.stepCount } }
    }

    /// The critic's v(s) on a batch's observations under η (a graph of `parameters`).
    func values(_ episodes: Episodes, eta: [Float], _ parameters: Parameters) -> Tensor {
        let input = policy.contextSize == 0 ? episodes.observations
            : Context.appended(to: episodes.observations, Tensor(shape: [1, 2], scalars: eta))
        return critic(input, parameters).reshaped([-1])
    }

    /// The agent's loss on `batch` as a function of θ (policy and critic) and η (γ, λ tensors).
    func agentLoss(_ batch: Batch, _ policyParameters: Parameters, _ criticParameters: Parameters,
                   gamma: Tensor, lambda: Tensor) -> (loss: Tensor, policyLoss: Double, valueLoss: Double) {
        var total = Tensor(0), policyTotal = 0.0, valueTotal = 0.0
        let acting = self.acting(policyParameters, eta: batch.eta)
        for episodes in batch.episodes {
            let v = values(episodes, eta: batch.eta, criticParameters)
            let returns = lambdaReturns(episodes, values: v.scalars, gamma: gamma, lambda: lambda)
            let logp = policy.logProbability(observations: episodes.observations, actions: episodes.actions, acting)
            let policyLoss = -maskedMean(logp * (returns - v.detached()), episodes)
            let valueLoss = config.valueCoefficient * maskedMean((returns - v).square(), episodes)
            total = total + policyLoss + valueLoss
            policyTotal += Double(policyLoss.scalar)
            valueTotal += Double(valueLoss.scalar)
        }
        let n = Float(batch.episodes.count)
        return (total / n, policyTotal / Double(n), valueTotal / Double(n))
    }

    /// ∇θ′ of the meta-objective J′ = E[log π_θ′(a|s)(G^η̄ − v(s))] on τ′ (the policy's part),
    /// and J′'s value.
    func metaObjectiveGradient(_ batch: Batch, at parameters: Parameters) -> (Parameters, Double) {
        let leaves = parameters.detached().requiringGradient()
        let acting = self.acting(leaves, eta: batch.eta)
        var total = Tensor(0)
        for episodes in batch.episodes {
            let v = withoutGradients { values(episodes, eta: batch.eta, criticParameters) }
            let returns = lambdaReturns(episodes, values: v.scalars, gamma: Tensor(config.referenceGamma), lambda: Tensor(config.referenceLambda))
            let logp = policy.logProbability(observations: episodes.observations, actions: episodes.actions, acting)
            total = total + maskedMean(logp * (returns - v), episodes)
        }
        let objective = total / Float(batch.episodes.count)
        return (gradients(of: objective, wrt: leaves), Double(objective.scalar))
    }

    /// One iteration on `batch` (sampled with the current θ under its η): the agent's update,
    /// the next batch from `sample` (θ′ and the η to act under), and with `learnReturn` the
    /// meta-update of η. Returns the next batch.
    public func step(_ batch: Batch, sample: (Parameters, [Float]) throws -> Batch) throws -> (Batch, MetaGradientStepLog) {
        var log = MetaGradientStepLog()
        let clock = Clock()
        log.returnMean = batch.meanReturn
        log.envSteps = batch.stepCount
        (log.gamma, log.lambda) = returnParameters

        // 1. The agent's update, differentiable in η's logits when they are learned.
        let logits = config.learnReturn ? returnLogits.requiringGradient() : returnLogits
        let eta = logits.sigmoid()
        let gamma = eta.sliced(axis: 0, 0..<1).reshaped([]), lambda = eta.sliced(axis: 0, 1..<2).reshaped([])
        let policyLeaves = policyParameters.requiringGradient(), criticLeaves = criticParameters.requiringGradient()
        let (loss, policyLoss, valueLoss) = agentLoss(batch, policyLeaves, criticLeaves, gamma: gamma, lambda: lambda)
        (log.policyLoss, log.valueLoss) = (policyLoss, valueLoss)
        let policyGradient = gradients(of: loss, wrt: policyLeaves, createGraph: config.learnReturn)
        let criticGradient = gradients(of: loss, wrt: criticLeaves)
        let updatedPolicy = policyOptimizer.update(policyParameters, gradients: policyGradient.detached())
        let updatedCritic = criticOptimizer.update(criticParameters, gradients: criticGradient)
        guard updatedPolicy.isFinite, updatedCritic.isFinite else {
            throw MetaGradientError.nonFinite("the agent's update")
        }
        policyParameters = updatedPolicy
        criticParameters = updatedCritic
        log.updateSeconds = clock.lap()

        // 2. The next batch, sampled with θ′ under the current η.
        let next = try sample(policyParameters, [log.gamma, log.lambda])
        log.samplingSeconds = clock.lap()

        // 3. The meta-objective on it, and η's step.
        let (metaGradient, objective) = metaObjectiveGradient(next, at: policyParameters)
        log.metaObjective = objective
        if config.learnReturn {
            let step = policyOptimizer.stepPerUnitGradient()
            let weighted = metaGradient.zip(step) { $0 * $1 }
            let etaGradient = gradients(of: weighted.dot(policyGradient), wrt: [logits])[0] * -1
            // Adam minimises: hand it −dJ′/dlogits, so that η climbs J′.
            let etaGradientScalars = etaGradient.scalars
            log.metaGradientGamma = Double(etaGradientScalars[0])
            log.metaGradientLambda = Double(etaGradientScalars[1])
            let updated = returnOptimizer.update(Parameters(names: ["eta"], tensors: [returnLogits]),
                                                 gradients: Parameters(names: ["eta"], tensors: [-1 * etaGradient]))
            guard updated.isFinite else { throw MetaGradientError.nonFinite("η's meta-update") }
            returnLogits = updated["eta"]
        }
        log.metaUpdateSeconds = clock.lap()
        return (next, log)
    }
}

/// One row of a meta-gradient run's progress.csv.
public struct MetaGradientStepLog: Sendable {
    public var returnMean = 0.0
    /// η the batch's update used.
    public var gamma: Float = 0
    public var lambda: Float = 0
    public var policyLoss = 0.0
    public var valueLoss = 0.0
    public var metaObjective = 0.0
    /// dJ′/d logit γ and dJ′/d logit λ (0 at fixed η).
    public var metaGradientGamma = 0.0
    public var metaGradientLambda = 0.0
    public var envSteps = 0
    public var samplingSeconds = 0.0
    public var updateSeconds = 0.0
    public var metaUpdateSeconds = 0.0
}

public enum MetaGradientError: Error, CustomStringConvertible {
    case nonFinite(String)
    public var description: String {
        switch self { case let .nonFinite(what): "\(what) produced NaN or infinity; nothing was written (lower learningRate or metaLearningRate)" }
    }
}

extension MetaGradientLearner {
    /// The three optimisers by name, for checkpoints.
    var optimizers: [(String, Adam)] { [("policy", policyOptimizer), ("critic", criticOptimizer), ("eta", returnOptimizer)] }

    /// A checkpoint's state; optimisers absent from `optimizers` have taken no step yet.
    func restore(policy: Parameters, critic: Parameters, returnLogits: Tensor, optimizers: [String: (Int, Parameters, Parameters)]) {
        policyParameters = policy
        criticParameters = critic
        self.returnLogits = returnLogits
        if let (step, m, v) = optimizers["policy"] { policyOptimizer.restore(step: step, firstMoment: m, secondMoment: v) }
        if let (step, m, v) = optimizers["critic"] { criticOptimizer.restore(step: step, firstMoment: m, secondMoment: v) }
        if let (step, m, v) = optimizers["eta"] { returnOptimizer.restore(step: step, firstMoment: m, secondMoment: v) }
    }
}
