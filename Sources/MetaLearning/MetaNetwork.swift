import NN

/// Meta Networks (Munkhdalai & Yu 2017), at the level of examples: a base learner on an embedding
/// u(x) has slow weights W (trained across tasks) and fast weights W* generated, for each support
/// example, from its loss gradient — the paper's meta information — by a meta-learner network G:
///
///     ∇_i = ∂ℓ(u_i W + b, y_i) / ∂W = u_iᵀ (softmax(u_i W + b) − y_i)     (closed form)
///     W*_i = G(∇_i)                           coordinatewise MLP, one gradient value → one weight
///     W*(q) = Σ_i softmax_i(cos(u_q, u_i)) W*_i                memory read keyed by embeddings
///     logits(q) = u_q W + b + u_q W*(q)                        layer augmentation, slow + fast
///
/// The per-example gradient is an expression of the graph, so meta-training differentiates
/// through it (second order, no approximation). Simplified from the paper: the embedding serves
/// as the memory key (the paper trains a separate representation learner with task-level fast
/// weights of its own) and fast weights are the base learner's output layer's.
public struct MetaNetwork: EpisodeClassifier {
    /// The embedding u (conv4's blocks) at explicit parameters.
    public let embedding: FunctionalModel
    public let features: Int
    public let ways: Int

    public static let prefix = "metaNet."
    static let generatorHidden = 20

    public init(embedding: FunctionalModel, features: Int, ways: Int) {
        self.embedding = embedding
        self.features = features
        self.ways = ways
    }

    /// Slow output weights (Glorot) and the generator G: 1 → 20 → 1, tanh between (smooth, so its
    /// second derivatives, which meta-training takes, are defined everywhere). G reads the raw
    /// gradient: u_i(p_i − y_i) is of order one, and the map G needs is close to −c·∇ (fast weights
    /// that point each class at its examples), which a log-magnitude-and-sign input hides (trained
    /// on that input, MetaNet stayed at chance on the glyphs).
    public static func parameters<G: RandomNumberGenerator>(features: Int, ways: Int, using rng: inout G) -> Parameters {
        Parameters(names: ["slow.weight", "slow.bias", "generator.layer1.weight", "generator.layer1.bias",
                           "generator.layer2.weight", "generator.layer2.bias"].map { prefix + $0 },
                   tensors: [Initializer.glorotUniform.weight(fanIn: features, fanOut: ways, using: &rng), Tensor.zeros([ways]),
                             Initializer.glorotUniform.weight(fanIn: 1, fanOut: generatorHidden, using: &rng), Tensor.zeros([generatorHidden]),
                             Initializer.glorotUniform.weight(fanIn: generatorHidden, fanOut: 1, using: &rng), Tensor.zeros([1])])
    }

    public func logits(of task: FewShotTask, parameters p: Parameters) -> Tensor {
        let (support, queries) = task.embedded(by: embedding, parameters: p)
        let (weight, bias) = (p[Self.prefix + "slow.weight"], p[Self.prefix + "slow.bias"])
        let fast = fastWeights(support: support, labels: task.supportTargets, weight: weight, bias: bias, p)
        let attention = Tensor.matmul(MetricClassifier.unitRows(queries), MetricClassifier.unitRows(support), transposeB: true).softmax(axis: 1)
        let read = attention.matmul(fast).reshaped([queries.shape[0], features, ways])
        return Tensor.affine(queries, weight, bias) + (queries.reshaped([queries.shape[0], features, 1]) * read).sum(axis: 1)
    }

    /// W*_i for every support example, flattened: [support, features · ways].
    func fastWeights(support: Tensor, labels: Tensor, weight: Tensor, bias: Tensor, _ p: Parameters) -> Tensor {
        let (s, d, n) = (support.shape[0], features, ways)
        let error = Tensor.affine(support, weight, bias).softmax(axis: 1) - labels
        return generate(support.reshaped([s, d, 1]) * error.reshaped([s, 1, n]), p).reshaped([s, d * n])
    }

    /// G, coordinatewise: each gradient value → one fast weight, [count].
    func generate(_ gradient: Tensor, _ p: Parameters) -> Tensor {
        let hidden = Tensor.affine(gradient.reshaped([gradient.count, 1]), p[Self.prefix + "generator.layer1.weight"],
                                   p[Self.prefix + "generator.layer1.bias"]).tanh()
        return Tensor.affine(hidden, p[Self.prefix + "generator.layer2.weight"], p[Self.prefix + "generator.layer2.bias"]).reshaped([gradient.count])
    }

    public func loss(of task: FewShotTask, parameters: Parameters) -> Tensor {
        Loss.crossEntropy(logits(of: task, parameters: parameters), task.queryTargets)
    }
}
