import NN

/// A few-shot classifier that takes a whole episode, support and queries, and does its own
/// adapting inside: the metric learners (the support set places prototypes or attention), the
/// meta-LSTM (a learned optimiser trains a classifier on the support set) and Meta Networks (fast
/// weights from the support set). Meta-training descends its query loss; the meta-test reads its
/// query scores. No gradient step of the generic inner loop applies to it.
public protocol EpisodeClassifier: Sendable {
    /// Query scores [queries, N] of the episode, the argmax the prediction; differentiable in `parameters`.
    func logits(of task: FewShotTask, parameters: Parameters) -> Tensor
    /// The episode's training loss, differentiable in `parameters`.
    func loss(of task: FewShotTask, parameters: Parameters) -> Tensor
}

extension FewShotTask {
    /// The episode's embeddings through `embedding` at `parameters`: support and query embedded in
    /// one batch (so batch-normalised embeddings share statistics, as at test time), flattened.
    public func embedded(by embedding: FunctionalModel, parameters: Parameters) -> (support: Tensor, queries: Tensor) {
        let supportCount = supportInputs.shape[0]
        let all = embedding.apply(parameters, allInputs)
        let flat = all.reshaped([all.shape[0], all.count / all.shape[0]])
        return (flat.sliced(axis: 0, 0..<supportCount), flat.sliced(axis: 0, supportCount..<flat.shape[0]))
    }
}

extension EpisodeClassifier {
    /// The share of queries classified right.
    public func accuracy(of task: FewShotTask, parameters: Parameters) -> Float {
        let logits = withoutGradients { self.logits(of: task, parameters: parameters) }
        return FunctionalModel.accuracy(logits: logits, targets: task.queryTargets)
    }
}

/// A metric classifier on a learned embedding, optionally re-read in the support set's context
/// (matching networks' full-context embeddings).
public struct MetricLearner: EpisodeClassifier {
    public let metric: MetricClassifier
    public let embedding: FunctionalModel
    public let fullContext: FullContextEmbedding?

    public init(metric: MetricClassifier, embedding: FunctionalModel, fullContext: FullContextEmbedding? = nil) {
        self.metric = metric
        self.embedding = embedding
        self.fullContext = fullContext
    }

    func embedded(_ task: FewShotTask, _ parameters: Parameters) -> (support: Tensor, queries: Tensor) {
        let plain = task.embedded(by: embedding, parameters: parameters)
        return fullContext?.apply(support: plain.support, queries: plain.queries, parameters: parameters) ?? plain
    }

    public func logits(of task: FewShotTask, parameters: Parameters) -> Tensor {
        let (support, queries) = embedded(task, parameters)
        return metric.logits(support: support, labels: task.supportTargets, queries: queries, parameters: parameters)
    }

    public func loss(of task: FewShotTask, parameters: Parameters) -> Tensor {
        let (support, queries) = embedded(task, parameters)
        return metric.loss(support: support, labels: task.supportTargets, queries: queries, targets: task.queryTargets, parameters: parameters)
    }
}
