/// A long short-term memory cell (Hochreiter & Schmidhuber 1997, with a forget gate as Gers et al.
/// 2000; PyTorch's `nn.LSTM` formulation), evaluated at explicit parameters:
///
///     i = σ(x W_i + h U_i + b_i)        input gate
///     f = σ(x W_f + h U_f + b_f)        forget gate
///     g = tanh(x W_g + h U_g + b_g)     candidate
///     o = σ(x W_o + h U_o + b_o)        output gate
///     c′ = f ⊙ c + i ⊙ g,   h′ = o ⊙ tanh(c′)
///
/// The four gates' weights are stored side by side (order i, f, g, o, as PyTorch's, transposed):
/// `<name>.inputWeight` [input, 4·hidden], `<name>.hiddenWeight` [hidden, 4·hidden] and one bias
/// [4·hidden], so a step is two matrix products. Made of ordinary differentiable ops, so truncated
/// backpropagation through time and every higher derivative come from the autodiff's own rules.
public struct LSTM: Sendable, Codable, Equatable {
    public let name: String
    public let inputSize: Int
    public let hiddenSize: Int

    /// The cell's memory: output h and cell state c, each [batch, hidden].
    public struct State {
        public var hidden: Tensor
        public var cell: Tensor
        public init(hidden: Tensor, cell: Tensor) { self.hidden = hidden; self.cell = cell }
        public static func zeros(batch: Int, hidden: Int) -> State {
            State(hidden: Tensor.zeros([batch, hidden]), cell: Tensor.zeros([batch, hidden]))
        }
    }

    public init(name: String = "lstm", inputSize: Int, hiddenSize: Int) {
        self.name = name
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public var inputWeightName: String { "\(name).inputWeight" }
    public var hiddenWeightName: String { "\(name).hiddenWeight" }
    public var biasName: String { "\(name).bias" }

    /// One step: x [batch, input] and the state → the next state.
    public func step(_ x: Tensor, _ state: State, _ parameters: Parameters) -> State {
        require(x.rank == 2 && x.shape[1] == inputSize && state.hidden.shape == [x.shape[0], hiddenSize],
                "LSTM \(name): input \(x.shape) and state \(state.hidden.shape), expected [batch, \(inputSize)] and [batch, \(hiddenSize)]")
        let gates = Tensor.affine(x, parameters[inputWeightName], parameters[biasName])
            + state.hidden.matmul(parameters[hiddenWeightName])
        let gate = { (g: Int) in gates.sliced(axis: 1, g * hiddenSize ..< (g + 1) * hiddenSize) }
        let cell = gate(1).sigmoid() * state.cell + gate(0).sigmoid() * gate(2).tanh()
        return State(hidden: gate(3).sigmoid() * cell.tanh(), cell: cell)
    }

    /// The states after each input of a sequence, from `initial` (zeros when nil).
    public func callAsFunction(_ inputs: [Tensor], initial: State? = nil, _ parameters: Parameters) -> [State] {
        var state = initial ?? State.zeros(batch: inputs.first?.shape[0] ?? 1, hidden: hiddenSize)
        return inputs.map { x in
            state = step(x, state, parameters)
            return state
        }
    }

    /// PyTorch's initialisation (every weight and bias uniform in ±1/√hidden), plus `forgetBias`
    /// added to the forget gate's bias (1 remembers by default, Jozefowicz et al. 2015).
    public func initialParameters<G: RandomNumberGenerator>(forgetBias: Float = 0, using rng: inout G) -> Parameters {
        let bound = 1 / Float(hiddenSize).squareRoot()
        let shapes = [[inputSize, 4 * hiddenSize], [hiddenSize, 4 * hiddenSize], [4 * hiddenSize]]
        var tensors = shapes.map { Tensor.randomUniform($0, in: -bound...bound, using: &rng) }
        var bias = tensors[2].scalars
        for j in hiddenSize ..< 2 * hiddenSize { bias[j] += forgetBias }
        tensors[2] = Tensor(shape: [4 * hiddenSize], scalars: bias)
        return Parameters(names: [inputWeightName, hiddenWeightName, biasName], tensors: tensors)
    }
}
