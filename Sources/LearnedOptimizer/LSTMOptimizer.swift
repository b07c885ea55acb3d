import NN

/// The coordinatewise LSTM optimizer m of Andrychowicz et al. 2016 (§2.1, Figure 3): every
/// coordinate θ_i of the optimizee is one row of a batch that goes through the same two-layer LSTM
/// (weights shared across coordinates, memory per coordinate), so one small network optimizes
/// problems of any size and is invariant to the order of the coordinates:
///
///     x_t = preprocess(∇f(θ_t))             [n, 2]   (Appendix A, `NN.GradientPreprocessing`)
///     h¹, c¹ = LSTM₁(x_t, state¹)            [n, hidden]
///     h², c² = LSTM₂(h¹, state²)             [n, hidden]
///     g_t = outputScale · (h² W + b)         [n]      (the paper scales by 0.1)
///     θ_{t+1} = θ_t + g_t
///
/// A function of explicit `Parameters` (the meta-parameters φ), differentiable in them through
/// θ and the LSTM states, so meta-training backpropagates through the unrolled optimization.
public struct LSTMOptimizer: Sendable, Equatable {
    public let hiddenSize: Int
    /// Multiplies the linear output (0.1 in the paper): the first updates are small steps.
    public let outputScale: Float
    /// The preprocessing's p (10 in the paper).
    public let preprocessingP: Float
    let layers: [LSTM]

    public static let outputWeightName = "output.weight"
    public static let outputBiasName = "output.bias"

    public init(hiddenSize: Int = 20, layerCount: Int = 2, outputScale: Float = 0.1, preprocessingP: Float = 10) {
        self.hiddenSize = hiddenSize
        self.outputScale = outputScale
        self.preprocessingP = preprocessingP
        self.layers = (0..<layerCount).map { LSTM(name: "lstm\($0 + 1)", inputSize: $0 == 0 ? 2 : hiddenSize, hiddenSize: hiddenSize) }
    }

    /// The memory of every coordinate, one LSTM state per layer.
    public struct State {
        public var layers: [LSTM.State]

        /// The same values cut from the graph (truncated backpropagation through time).
        public func detached() -> State {
            State(layers: layers.map { LSTM.State(hidden: $0.hidden.detached(), cell: $0.cell.detached()) })
        }
    }

    /// Zero memory for `coordinates` coordinates (the start of an optimization run).
    public func initialState(coordinates: Int) -> State {
        State(layers: layers.map { _ in LSTM.State.zeros(batch: coordinates, hidden: hiddenSize) })
    }

    /// One optimizer step: the gradient [n] and memory → the update [n] added to θ, and the memory.
    public func step(gradient: Tensor, _ state: State, _ phi: Parameters) -> (update: Tensor, state: State) {
        var x = GradientPreprocessing.apply(gradient, p: preprocessingP)
        var next = state
        for (l, layer) in layers.enumerated() {
            next.layers[l] = layer.step(x, state.layers[l], phi)
            x = next.layers[l].hidden
        }
        let out = Tensor.affine(x, phi[Self.outputWeightName], phi[Self.outputBiasName])
        return (outputScale * out.reshaped([gradient.count]), next)
    }

    /// φ₀: PyTorch's LSTM initialisation with forget-gate bias 1 (so the memory starts by keeping
    /// what it has, Jozefowicz et al. 2015), and the output layer uniform in ±1/√hidden with zero
    /// bias (so the first updates have no preferred sign).
    public func initialParameters<G: RandomNumberGenerator>(using rng: inout G) -> Parameters {
        var phi = layers.map { $0.initialParameters(forgetBias: 1, using: &rng) }.reduce(Parameters(names: [], tensors: [])) { $0.appending($1) }
        let bound = 1 / Float(hiddenSize).squareRoot()
        phi = phi.appending(Parameters(names: [Self.outputWeightName, Self.outputBiasName],
                                       tensors: [Tensor.randomUniform([hiddenSize, 1], in: -bound...bound, using: &rng), Tensor.zeros([1])]))
        return phi
    }

    /// The tensor names and shapes `initialParameters` produces, to check a loaded file against.
    public func parameterShapes() -> [String: [Int]] {
        var rng = Xoshiro256(seed: 0)
        let phi = initialParameters(using: &rng)
        return Dictionary(uniqueKeysWithValues: zip(phi.names, phi.tensors.map(\.shape)))
    }
}
