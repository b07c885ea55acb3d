import Experiments
import NN

/// The metric-based few-shot classifiers, on any embedding: support and query images are embedded,
/// and each query is labelled by its similarity to the support set. Nothing is adapted at test
/// time; training shapes the embedding, episode by episode, through the classifier.
public enum MetricClassifier: Sendable {
    /// Prototypical networks (Snell et al. 2017, eqs. 1–2): each class's prototype is the mean
    /// embedding of its support examples; a query's logits are minus its squared Euclidean
    /// distances to the prototypes.
    case prototypes
    /// Matching networks (Vinyals et al. 2016, eqs. 1–2, without full-context embeddings): a query
    /// attends to every support example by the softmax of their cosine similarities, and its class
    /// probabilities are the attention-weighted support labels; its logits are their logarithms.
    case matching

    /// The classifier of a metric-based method (nil for the others).
    public init?(_ method: Method) {
        switch method {
        case .protonet: self = .prototypes
        case .matching: self = .matching
        default: return nil
        }
    }

    /// Logits [queries, N] of embedded queries [queries, d] given embedded support examples
    /// [support, d] with one-hot labels [support, N]. Differentiable (to any order) in both
    /// embeddings.
    public func logits(support: Tensor, labels: Tensor, queries: Tensor) -> Tensor {
        switch self {
        case .prototypes:
            // c_k = Σ_i y_ik s_i / Σ_i y_ik, as one product: [N, support] · [support, d].
            let counts = labels.sum(axis: 0).reshaped([labels.shape[1], 1])
            let prototypes = Tensor.matmul(labels, support, transposeA: true) / counts
            // −‖q − c‖² = 2 q·c − ‖q‖² − ‖c‖².
            let cross = Tensor.matmul(queries, prototypes, transposeB: true)
            let queryNorms = (queries * queries).sum(axis: 1, keepDims: true)
            let prototypeNorms = (prototypes * prototypes).sum(axis: 1).reshaped([1, prototypes.shape[0]])
            return 2 * cross - queryNorms - prototypeNorms
        case .matching:
            let attention = Tensor.matmul(Self.unitRows(queries), Self.unitRows(support), transposeB: true).softmax(axis: 1)
            // A tiny floor keeps the logarithm finite for a class no attention reaches.
            return (attention.matmul(labels) + 1e-12).log()
        }
    }

    /// Rows scaled to unit length (a zero row stays near zero).
    static func unitRows(_ x: Tensor) -> Tensor {
        x / ((x * x).sum(axis: 1, keepDims: true) + 1e-8).sqrt()
    }

    /// One episode through `embedding` at `parameters`: support and query embedded in one batch
    /// (so batch-normalised embeddings share statistics, as at test time), then the query logits.
    public func logits(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Tensor {
        let supportCount = task.supportInputs.shape[0]
        let embedded = embedding.apply(parameters, task.allInputs)
        let flat = embedded.reshaped([embedded.shape[0], embedded.count / embedded.shape[0]])
        return logits(support: flat.sliced(axis: 0, 0..<supportCount), labels: task.supportTargets,
                      queries: flat.sliced(axis: 0, supportCount..<flat.shape[0]))
    }

    /// The episode's training loss: cross-entropy of the query logits.
    public func loss(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Tensor {
        Loss.crossEntropy(logits(of: task, embedding: embedding, parameters: parameters), task.queryTargets)
    }

    /// The share of queries classified right.
    public func accuracy(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Float {
        let logits = withoutGradients { self.logits(of: task, embedding: embedding, parameters: parameters) }
        return FunctionalModel.accuracy(logits: logits, targets: task.queryTargets)
    }
}
