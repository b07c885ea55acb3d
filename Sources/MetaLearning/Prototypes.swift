import NN

/// The classifier of prototypical networks (Snell et al. 2017, "Prototypical Networks for Few-shot
/// Learning", eqs. 1–2), on any embedding: each class's prototype is the mean embedding of its
/// support examples, and a query's logits are minus its squared Euclidean distances to the
/// prototypes. Nothing is adapted at test time: the support set only places the prototypes.
public enum Prototypes {
    /// Logits [queries, N] of embedded queries [queries, d] against the prototypes of embedded
    /// support examples [support, d] with one-hot labels [support, N]. Differentiable (to any order)
    /// in both embeddings.
    public static func logits(support: Tensor, labels: Tensor, queries: Tensor) -> Tensor {
        // c_k = Σ_i y_ik s_i / Σ_i y_ik, as one product: [N, support] · [support, d].
        let counts = labels.sum(axis: 0).reshaped([labels.shape[1], 1])
        let prototypes = Tensor.matmul(labels, support, transposeA: true) / counts
        // −‖q − c‖² = 2 q·c − ‖q‖² − ‖c‖².
        let cross = Tensor.matmul(queries, prototypes, transposeB: true)
        let queryNorms = (queries * queries).sum(axis: 1, keepDims: true)
        let prototypeNorms = (prototypes * prototypes).sum(axis: 1).reshaped([1, prototypes.shape[0]])
        return 2 * cross - queryNorms - prototypeNorms
    }

    /// One episode through `embedding` at `parameters`: support and query embedded in one batch
    /// (so batch-normalised embeddings share statistics, as at test time), then the query logits.
    public static func logits(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Tensor {
        let supportCount = task.supportInputs.shape[0]
        let embedded = embedding.apply(parameters, task.allInputs)
        let flat = embedded.reshaped([embedded.shape[0], embedded.count / embedded.shape[0]])
        return logits(support: flat.sliced(axis: 0, 0..<supportCount), labels: task.supportTargets,
                      queries: flat.sliced(axis: 0, supportCount..<flat.shape[0]))
    }

    /// The episode's training loss: cross-entropy of the query logits.
    public static func loss(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Tensor {
        Loss.crossEntropy(logits(of: task, embedding: embedding, parameters: parameters), task.queryTargets)
    }

    /// The share of queries whose nearest prototype is their class.
    public static func accuracy(of task: FewShotTask, embedding: FunctionalModel, parameters: Parameters) -> Float {
        let logits = withoutGradients { Self.logits(of: task, embedding: embedding, parameters: parameters) }
        return FunctionalModel.accuracy(logits: logits, targets: task.queryTargets)
    }
}
