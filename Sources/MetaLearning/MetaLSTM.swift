import NN

/// The meta-learner LSTM of Ravi & Larochelle 2017 ("Optimization as a Model for Few-Shot
/// Learning"): an LSTM whose cell state is the learner's parameters. It trains a classifier on the
/// support set for `steps` updates, each
///
///     θ_t = f_t ⊙ θ_{t−1} + i_t ⊙ (−∇_t)                                   (eq. 2)
///     i_t = σ(W_I · [h_t, θ_{t−1}, i_{t−1}] + b_I),  f_t = σ(W_F · [h_t, θ_{t−1}, f_{t−1}] + b_F)
///
/// coordinatewise (one row per learner parameter, weights shared), where h_t is the output of a
/// first, ordinary LSTM layer fed the preprocessed gradient and loss (the paper's two layers;
/// Andrychowicz et al.'s preprocessing). θ_0, the cell's initial state, is learned with the
/// meta-learner. The learner's gradients are inputs, not differentiated again (the paper's §3.2
/// simplification): the meta-gradient flows through θ_t = f ⊙ θ + i ⊙ (−∇) into the gates and θ_0.
public struct MetaLSTM: EpisodeClassifier {
    /// The classifier being trained (conv4 with its head), at explicit parameters.
    public let learner: FunctionalModel
    /// The learner's parameter names: the rest of a parameter set is the meta-learner's.
    public let learnerNames: [String]
    /// Updates on the support set per episode.
    public let steps: Int

    public static let prefix = "metaLSTM."
    static let hiddenSize = 20
    static let lstm = LSTM(name: prefix + "lstm", inputSize: 4, hiddenSize: hiddenSize)

    public init(learner: FunctionalModel, learnerNames: [String], steps: Int) {
        self.learner = learner
        self.learnerNames = learnerNames
        self.steps = steps
    }

    /// The meta-learner's own parameters. Gate biases as the paper's §3.3 says: the forget gate
    /// starts near 1 (b_F ∈ [4, 6]) and the input gate small, so the first updates are gradient
    /// descent with a small step from θ_0; gate weights in ±0.01. Small here is i ≈ 0.1
    /// (b_I ∈ [−2.5, −2]), not the common reimplementations' 0.01 (b_I ∈ [−5, −4]): conv4, like
    /// MAML's at α = 0.4, barely moves in a few steps of 0.01, and the gates learn slowly from there.
    public static func parameters<G: RandomNumberGenerator>(using rng: inout G) -> Parameters {
        let gateInputs = hiddenSize + 2
        return lstm.initialParameters(using: &rng).appending(Parameters(
            names: [prefix + "forget.weight", prefix + "forget.bias", prefix + "input.weight", prefix + "input.bias"],
            tensors: [Tensor.randomUniform([gateInputs, 1], in: -0.01...0.01, using: &rng), Tensor.randomUniform([1], in: 4...6, using: &rng),
                      Tensor.randomUniform([gateInputs, 1], in: -0.01...0.01, using: &rng), Tensor.randomUniform([1], in: -2.5 ... -2, using: &rng)]))
    }

    /// The learner's parameters after `steps` updates on the task's support set.
    public func adapted(on task: FewShotTask, parameters: Parameters) -> Parameters {
        let initial = Parameters(names: learnerNames, tensors: learnerNames.map { parameters[$0] })
        let shapes = initial.tensors.map(\.shape)
        var theta = Tensor.concatenate(initial.tensors.map { $0.reshaped([$0.count, 1]) }, axis: 0)
        let count = theta.shape[0]
        var state = LSTM.State.zeros(batch: count, hidden: Self.hiddenSize)
        var (forget, input) = (Tensor.zeros([count, 1]), Tensor.zeros([count, 1]))
        for _ in 0..<steps {
            let (loss, gradient) = supportGradient(at: Self.split(theta, shapes: shapes, names: learnerNames), task)
            let lossFeatures = GradientPreprocessing.apply(Tensor([loss])).broadcast(to: [count, 2])
            state = Self.lstm.step(Tensor.concatenate([GradientPreprocessing.apply(gradient), lossFeatures], axis: 1), state, parameters)
            forget = Tensor.affine(Tensor.concatenate([state.hidden, theta, forget], axis: 1),
                                   parameters[Self.prefix + "forget.weight"], parameters[Self.prefix + "forget.bias"]).sigmoid()
            input = Tensor.affine(Tensor.concatenate([state.hidden, theta, input], axis: 1),
                                  parameters[Self.prefix + "input.weight"], parameters[Self.prefix + "input.bias"]).sigmoid()
            theta = forget * theta - input * gradient
        }
        return Self.split(theta, shapes: shapes, names: learnerNames)
    }

    /// The support loss at θ and its gradient as one column, both constants of the meta-graph
    /// (taken even when the caller records nothing: classifying needs them).
    func supportGradient(at theta: Parameters, _ task: FewShotTask) -> (loss: Float, gradient: Tensor) {
        withGradients {
            let leaves = theta.detached().requiringGradient()
            let loss = learner.loss(leaves, task.supportInputs, task.supportTargets)
            let g = gradients(of: loss, wrt: leaves.tensors)
            return (loss.scalar, Tensor.concatenate(g.map { $0.reshaped([$0.count, 1]) }, axis: 0).detached())
        }
    }

    /// A column of all parameters back into named tensors.
    static func split(_ column: Tensor, shapes: [[Int]], names: [String]) -> Parameters {
        var offset = 0
        return Parameters(names: names, tensors: shapes.map { shape in
            let n = shape.reduce(1, *)
            defer { offset += n }
            return column.sliced(axis: 0, offset ..< offset + n).reshaped(shape)
        })
    }

    public func logits(of task: FewShotTask, parameters: Parameters) -> Tensor {
        learner.apply(adapted(on: task, parameters: parameters), task.queryInputs)
    }

    public func loss(of task: FewShotTask, parameters: Parameters) -> Tensor {
        learner.loss(adapted(on: task, parameters: parameters), task.queryInputs, task.queryTargets)
    }
}
