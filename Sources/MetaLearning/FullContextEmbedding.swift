import NN

/// Matching networks' full-context embeddings (Vinyals et al. 2016, appendix A.1–A.2): each
/// embedding is re-read in the context of the whole support set before the cosine attention.
///
///     g(x_i) = g′(x_i) + h→_i + h←_i        a bidirectional LSTM over the support sequence
///     ĥ_k, c_k = LSTM([f′(x̂), r_{k−1}], h_{k−1}, c_{k−1}),  h_k = ĥ_k + f′(x̂)
///     r_k = Σ_i softmax_i(h_k · g(x_i)) g(x_i)        k = 1…steps;  f(x̂) = h_steps
///
/// with g′, f′ the conv4 embeddings. The read LSTM takes r_{k−1} with its input rather than
/// concatenated to its state (the same gates, one matrix product fewer).
public struct FullContextEmbedding: Sendable {
    public let features: Int
    /// The attention LSTM's processing steps K.
    public let steps: Int

    public init(features: Int, steps: Int) {
        self.features = features
        self.steps = steps
    }

    var forwardLSTM: LSTM { LSTM(name: "fce.forward", inputSize: features, hiddenSize: features) }
    var backwardLSTM: LSTM { LSTM(name: "fce.backward", inputSize: features, hiddenSize: features) }
    var readLSTM: LSTM { LSTM(name: "fce.read", inputSize: 2 * features, hiddenSize: features) }

    public func initialParameters<G: RandomNumberGenerator>(using rng: inout G) -> Parameters {
        forwardLSTM.initialParameters(forgetBias: 1, using: &rng)
            .appending(backwardLSTM.initialParameters(forgetBias: 1, using: &rng))
            .appending(readLSTM.initialParameters(forgetBias: 1, using: &rng))
    }

    /// Embeddings [support, d] and [queries, d] → their full-context versions.
    public func apply(support: Tensor, queries: Tensor, parameters: Parameters) -> (support: Tensor, queries: Tensor) {
        let rows = (0..<support.shape[0]).map { support.sliced(axis: 0, $0 ..< $0 + 1) }
        let ahead = forwardLSTM(rows, parameters).map(\.hidden)
        let behind = Array(backwardLSTM(rows.reversed(), parameters).map(\.hidden).reversed())
        let g = support + Tensor.concatenate(ahead, axis: 0) + Tensor.concatenate(behind, axis: 0)
        var state = LSTM.State.zeros(batch: queries.shape[0], hidden: features)
        var read = Tensor.zeros(queries.shape)
        for _ in 0..<steps {
            state = readLSTM.step(Tensor.concatenate([queries, read], axis: 1), state, parameters)
            state.hidden = state.hidden + queries
            read = Tensor.matmul(state.hidden, g, transposeB: true).softmax(axis: 1).matmul(g)
        }
        return (g, state.hidden)
    }
}
