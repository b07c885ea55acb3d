import Foundation

/// RL²'s policy (Duan et al. 2016, "RL²: Fast Reinforcement Learning via Slow Reinforcement
/// Learning"): a GRU reads, at every step, the observation, the previous action, the previous
/// reward and whether the previous step ended an episode; its state is kept across the episodes of
/// one task (a trial) and reset between tasks, so what the policy learned about the task lives in
/// that state. A linear head gives the Gaussian's mean; log σ is learned and state-independent, as
/// in `GaussianMLPPolicy`. Evaluated at explicit parameters; every derivative (backpropagation
/// through time, the KL's Hessian-vector products through the recurrence) comes from the autodiff.
public struct GaussianGRUPolicy: Sendable, Codable, Equatable {
    public let observationSize: Int
    public let actionSize: Int
    public let core: GRU
    public let head: Linear
    public static let logStdName = GaussianMLPPolicy.logStdName

    /// Inputs per step: observation, previous action, previous reward, previous done flag.
    public var inputSize: Int { observationSize + actionSize + 2 }
    public var hiddenSize: Int { core.hiddenSize }

    public init(observationSize: Int, actionSize: Int, hiddenSize: Int = 64) {
        self.observationSize = observationSize
        self.actionSize = actionSize
        core = GRU(name: "gru", inputSize: observationSize + actionSize + 2, hiddenSize: hiddenSize)
        head = Linear(name: "head", inputSize: hiddenSize, outputSize: actionSize)
    }

    /// The GRU's own initialisation, a Glorot head with zero bias, log σ = `initialLogStd`.
    public func initialParameters<G: RandomNumberGenerator>(initialLogStd: Float = 0, using rng: inout G) -> Parameters {
        core.initialParameters(using: &rng)
            .appending(head.initialParameters(.glorotUniform, using: &rng))
            .appending(Parameters(names: [Self.logStdName], tensors: [Tensor(repeating: initialLogStd, shape: [actionSize])]))
    }

    /// One step's input row: (s, a_prev, r_prev, done_prev); at a trial's first step the previous
    /// action and reward are zero and done is 0.
    public func input(observation: [Float], previousAction: [Float], previousReward: Float, previousDone: Bool) -> [Float] {
        observation + previousAction + [previousReward, previousDone ? 1 : 0]
    }

    /// The zero state every trial starts from, for `rows` trials run side by side.
    public func initialState(rows: Int) -> Tensor { Tensor.zeros([rows, hiddenSize]) }

    /// The next state of `rows` trials: the GRU's step where `mask` is 1, the state kept where it
    /// is 0 (a trial whose episode ended earlier than the others' waits, its history intact).
    func nextState(_ state: Tensor, inputs: Tensor, mask: Tensor?, _ parameters: Parameters) -> Tensor {
        let next = core.step(inputs, state, parameters)
        guard let mask else { return next }
        return state + mask * (next - state)
    }

    /// One step for acting: the next state and the mean action, for `rows` trials at once (inputs
    /// [rows, inputSize], state [rows, hidden], mask [rows, 1] or nil for all active); untracked.
    public func step(state: Tensor, inputs: Tensor, mask: Tensor? = nil, _ parameters: Parameters) -> (state: Tensor, means: Tensor) {
        withoutGradients {
            let next = nextState(state, inputs: inputs, mask: mask, parameters)
            return (next, head(next, parameters))
        }
    }

    /// μ at every step of `rows` trials from the zero state: inputs[t] is [rows, inputSize] and
    /// masks[t] [rows, 1] (nil: every row active), the result's [t] is [rows, actionSize]; a
    /// function of the parameters through the whole trial.
    public func means(_ inputs: [Tensor], masks: [Tensor]? = nil, _ parameters: Parameters) -> [Tensor] {
        var state = initialState(rows: inputs.first?.shape[0] ?? 1)
        return inputs.indices.map { t in
            state = nextState(state, inputs: inputs[t], mask: masks?[t], parameters)
            return head(state, parameters)
        }
    }

    /// log π(a_t | history) per row and step, stacked [steps · rows] in step-major order.
    public func logProbability(inputs: [Tensor], masks: [Tensor]? = nil, actions: Tensor, _ parameters: Parameters) -> Tensor {
        let logStd = parameters[Self.logStdName]
        let z = (actions - Tensor.concatenate(means(inputs, masks: masks, parameters), axis: 0)) / logStd.exp()
        let constant = Float(actionSize) * 0.5 * Float(Foundation.log(2 * Double.pi))
        return -0.5 * z.square().sum(axis: 1) - logStd.sum() - constant
    }

    /// KL(π_old ‖ π_θ) per row and step (step-major), the old policy given by its constant means
    /// [steps · rows, actions] and log σ.
    public func kl(inputs: [Tensor], masks: [Tensor]? = nil, oldMeans: Tensor, oldLogStd: Tensor, _ parameters: Parameters) -> Tensor {
        let logStd = parameters[Self.logStdName]
        let variance = (2 * logStd).exp()
        let spread = ((2 * oldLogStd).exp() + (oldMeans - Tensor.concatenate(means(inputs, masks: masks, parameters), axis: 0)).square())
            / (2 * variance)
        return (spread + logStd - oldLogStd - 0.5).sum(axis: 1)
    }
}
