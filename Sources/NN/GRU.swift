/// A gated recurrent unit (Cho et al. 2014; PyTorch's `nn.GRU` formulation), the recurrent core of
/// RL²'s policy (Duan et al. 2016), evaluated at explicit parameters:
///
///     z = σ(x W_z + b_iz + h U_z + b_hz)            update gate
///     r = σ(x W_r + b_ir + h U_r + b_hr)            reset gate
///     n = tanh(x W_n + b_in + r ⊙ (h U_n + b_hn))   candidate
///     h′ = (1 − z) ⊙ n + z ⊙ h
///
/// The three gates' weights are stored side by side, `<name>.inputWeight` [input, 3·hidden],
/// `<name>.hiddenWeight` [hidden, 3·hidden] and their biases [3·hidden] (order r, z, n, as
/// PyTorch's, transposed), so a step is two matrix products. Every gate is made of ordinary
/// differentiable ops, so backpropagation through time and every higher derivative (the KL's
/// Hessian-vector products through the recurrence) come from the autodiff's own rules.
public struct GRU: Sendable, Codable, Equatable {
    public let name: String
    public let inputSize: Int
    public let hiddenSize: Int

    public init(name: String = "gru", inputSize: Int, hiddenSize: Int) {
        self.name = name
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public var inputWeightName: String { "\(name).inputWeight" }
    public var hiddenWeightName: String { "\(name).hiddenWeight" }
    public var inputBiasName: String { "\(name).inputBias" }
    public var hiddenBiasName: String { "\(name).hiddenBias" }

    /// One step: x [batch, input] and h [batch, hidden] → h′ [batch, hidden].
    public func step(_ x: Tensor, _ h: Tensor, _ parameters: Parameters) -> Tensor {
        require(x.rank == 2 && x.shape[1] == inputSize && h.shape == [x.shape[0], hiddenSize],
                "GRU \(name): input \(x.shape) and state \(h.shape), expected [batch, \(inputSize)] and [batch, \(hiddenSize)]")
        let gx = Tensor.affine(x, parameters[inputWeightName], parameters[inputBiasName])
        let gh = Tensor.affine(h, parameters[hiddenWeightName], parameters[hiddenBiasName])
        let gate = { (t: Tensor, g: Int) in t.sliced(axis: 1, g * hiddenSize ..< (g + 1) * hiddenSize) }
        let r = (gate(gx, 0) + gate(gh, 0)).sigmoid()
        let z = (gate(gx, 1) + gate(gh, 1)).sigmoid()
        let n = (gate(gx, 2) + r * gate(gh, 2)).tanh()
        return n + z * (h - n)
    }

    /// The states after each input of a sequence, from `initial` (zeros when nil).
    public func callAsFunction(_ inputs: [Tensor], initial: Tensor? = nil, _ parameters: Parameters) -> [Tensor] {
        var h = initial ?? Tensor.zeros([inputs.first?.shape[0] ?? 1, hiddenSize])
        return inputs.map { x in
            h = step(x, h, parameters)
            return h
        }
    }

    /// PyTorch's initialisation: every weight and bias uniform in ±1/√hidden.
    public func initialParameters<G: RandomNumberGenerator>(using rng: inout G) -> Parameters {
        let bound = 1 / Float(hiddenSize).squareRoot()
        let shapes = [[inputSize, 3 * hiddenSize], [hiddenSize, 3 * hiddenSize], [3 * hiddenSize], [3 * hiddenSize]]
        return Parameters(names: [inputWeightName, hiddenWeightName, inputBiasName, hiddenBiasName],
                          tensors: shapes.map { Tensor.randomUniform($0, in: -bound...bound, using: &rng) })
    }
}
