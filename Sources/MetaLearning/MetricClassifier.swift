import Experiments
import NN

/// The metric-based few-shot classifiers, on any embedding: support and query images are embedded,
/// and each query is labelled by its similarity to the support set. Nothing is adapted at test
/// time; training shapes the embedding (and, for relation and Siamese networks, the learned
/// similarity on top of it), episode by episode, through the classifier.
public enum MetricClassifier: Sendable {
    /// Prototypical networks (Snell et al. 2017, eqs. 1–2): each class's prototype is the mean
    /// embedding of its support examples; a query's logits are minus its squared Euclidean
    /// distances to the prototypes.
    case prototypes
    /// Matching networks (Vinyals et al. 2016, eqs. 1–2, without full-context embeddings): a query
    /// attends to every support example by the softmax of their cosine similarities, and its class
    /// probabilities are the attention-weighted support labels; its logits are their logarithms.
    case matching
    /// Relation networks (Sung et al. 2018, eqs. 1–3): a learned relation module scores each
    /// (class, query) pair from the concatenation of the class's mean support embedding and the
    /// query's, r = σ(MLP([c, q])), trained by mean squared error against the one-hot match. The
    /// paper sums a class's K embeddings and trains one model per K; the mean is the same at one
    /// shot and keeps c at the scale the module learned at any other K, so one checkpoint serves
    /// every shot count (a 1-shot module fed 5-shot sums scored 30% at 5-way 5-shot). The
    /// paper's module is two conv blocks of 64 channels and linear layers of 8 and 1 units on 3 × 3
    /// feature maps; conv4's embedding here is 1 × 1, so the conv blocks become a 64-unit layer:
    /// [2d] → 64 → 8 → 1, ReLU between.
    case relation
    /// Siamese networks (Koch et al. 2015, §3): twin embeddings, and a learned weighted L1 distance
    /// p = σ(Σ_j α_j |q_j − s_j| + b) that two images show the same class, trained on verification
    /// (every query–support pair of an episode, same or different, by cross-entropy with both
    /// kinds weighted equally). One-shot by the nearest support example; with K shots a class
    /// scores the mean of its examples' pair logits.
    case siamese

    /// The classifier of a metric-based method (nil for the others).
    public init?(_ method: Method) {
        switch method {
        case .protonet: self = .prototypes
        case .matching: self = .matching
        case .relation: self = .relation
        case .siamese: self = .siamese
        default: return nil
        }
    }

    /// The relation module's hidden layers.
    static let relationLayers = [64, 8]

    /// The learned similarity's own parameters, on embeddings of size `features` (none for the fixed metrics).
    public func headParameters<G: RandomNumberGenerator>(features: Int, using rng: inout G) -> Parameters {
        switch self {
        case .prototypes, .matching: return Parameters(names: [], tensors: [])
        case .relation:
            let sizes = [2 * features] + Self.relationLayers + [1]
            var names: [String] = [], tensors: [Tensor] = []
            for layer in 1 ..< sizes.count {
                names += ["relation.layer\(layer).weight", "relation.layer\(layer).bias"]
                tensors += [Initializer.glorotUniform.weight(fanIn: sizes[layer - 1], fanOut: sizes[layer], using: &rng), Tensor.zeros([sizes[layer]])]
            }
            return Parameters(names: names, tensors: tensors)
        case .siamese:
            // α starts small and negative, so that distance already means "different" at the first step.
            return Parameters(names: ["siamese.weight", "siamese.bias"],
                              tensors: [Tensor.randomUniform([features, 1], in: -0.01...0.0, using: &rng), Tensor(repeating: 1, shape: [1])])
        }
    }

    /// Class scores [queries, N] of embedded queries [queries, d] given embedded support examples
    /// [support, d] with one-hot labels [support, N]; the argmax is the prediction. Differentiable
    /// (to any order) in both embeddings and in `parameters`, the learned similarity's.
    public func logits(support: Tensor, labels: Tensor, queries: Tensor, parameters: Parameters = Parameters(names: [], tensors: [])) -> Tensor {
        switch self {
        case .prototypes:
            let prototypes = Self.classMeans(support, labels: labels)
            // −‖q − c‖² = 2 q·c − ‖q‖² − ‖c‖².
            let cross = Tensor.matmul(queries, prototypes, transposeB: true)
            let queryNorms = (queries * queries).sum(axis: 1, keepDims: true)
            let prototypeNorms = (prototypes * prototypes).sum(axis: 1).reshaped([1, prototypes.shape[0]])
            return 2 * cross - queryNorms - prototypeNorms
        case .matching:
            let attention = Tensor.matmul(Self.unitRows(queries), Self.unitRows(support), transposeB: true).softmax(axis: 1)
            // A tiny floor keeps the logarithm finite for a class no attention reaches.
            return (attention.matmul(labels) + 1e-12).log()
        case .relation:
            // The first layer's [c, q] W = c W_c + q W_q for every pair at once: [queries, 1, h] + [1, N, h].
            let classes = Self.classMeans(support, labels: labels)
            let (n, q, d, h) = (classes.shape[0], queries.shape[0], support.shape[1], Self.relationLayers[0])
            let w = parameters["relation.layer1.weight"]
            let fromClass = classes.matmul(w.sliced(axis: 0, 0..<d)).reshaped([1, n, h])
            let fromQuery = queries.matmul(w.sliced(axis: 0, d..<2 * d)).reshaped([q, 1, h])
            var x = (fromQuery + fromClass + parameters["relation.layer1.bias"]).relu().reshaped([q * n, h])
            for layer in 2 ... Self.relationLayers.count + 1 {
                x = Tensor.affine(x, parameters["relation.layer\(layer).weight"], parameters["relation.layer\(layer).bias"])
                if layer <= Self.relationLayers.count { x = x.relu() }
            }
            return x.reshaped([q, n])
        case .siamese:
            return Tensor.matmul(pairLogits(support: support, queries: queries, parameters: parameters), labels) / labels.sum(axis: 0)
        }
    }

    /// Siamese networks' verification logits [queries, support]: Σ_j α_j |q_j − s_j| + b.
    func pairLogits(support: Tensor, queries: Tensor, parameters: Parameters) -> Tensor {
        let (q, s, d) = (queries.shape[0], support.shape[0], support.shape[1])
        let distances = (queries.reshaped([q, 1, d]) - support.reshaped([1, s, d])).abs()
        return (distances.reshaped([q * s, d]).matmul(parameters["siamese.weight"]) + parameters["siamese.bias"]).reshaped([q, s])
    }

    /// The episode's training loss on query targets [queries, N] (one-hot).
    public func loss(support: Tensor, labels: Tensor, queries: Tensor, targets: Tensor, parameters: Parameters) -> Tensor {
        switch self {
        case .prototypes, .matching:
            return Loss.crossEntropy(logits(support: support, labels: labels, queries: queries, parameters: parameters), targets)
        case .relation:
            return (logits(support: support, labels: labels, queries: queries, parameters: parameters).sigmoid() - targets).square().mean()
        case .siamese:
            // Binary cross-entropy with logits, softplus(z) − y z, the same and the different pairs each averaged.
            let z = pairLogits(support: support, queries: queries, parameters: parameters)
            let same = Tensor.matmul(targets, labels, transposeB: true)
            let perPair = z.softplus() - same * z
            let sameCount = same.sum().scalar, pairCount = Float(same.count)
            return (perPair * same).sum() / max(sameCount, 1) + (perPair * (1 - same)).sum() / max(pairCount - sameCount, 1)
        }
    }

    /// c_k = Σ_i y_ik s_i / Σ_i y_ik, as one product: [N, support] · [support, d].
    static func classMeans(_ support: Tensor, labels: Tensor) -> Tensor {
        Tensor.matmul(labels, support, transposeA: true) / labels.sum(axis: 0).reshaped([labels.shape[1], 1])
    }

    /// Rows scaled to unit length (a zero row stays near zero).
    static func unitRows(_ x: Tensor) -> Tensor {
        x / ((x * x).sum(axis: 1, keepDims: true) + 1e-8).sqrt()
    }
}
