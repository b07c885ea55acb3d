@_exported import NN

/// One few-shot task: a support set the learner adapts on (the K examples) and a query set on
/// which the adapted model is judged (Finn et al. 2017, Algorithm 2: D_i and D'_i).
///
/// Targets are regression values ([n, outputs]) or one-hot class labels ([n, classes]), matching
/// the model's `loss`.
public struct FewShotTask: Sendable {
    public var supportInputs: Tensor
    public var supportTargets: Tensor
    public var queryInputs: Tensor
    public var queryTargets: Tensor

    public init(supportInputs: Tensor, supportTargets: Tensor, queryInputs: Tensor, queryTargets: Tensor) {
        require(supportInputs.shape.first == supportTargets.shape.first,
                "FewShotTask: \(supportInputs.shape.first ?? 0) support inputs but \(supportTargets.shape.first ?? 0) targets")
        require(queryInputs.shape.first == queryTargets.shape.first,
                "FewShotTask: \(queryInputs.shape.first ?? 0) query inputs but \(queryTargets.shape.first ?? 0) targets")
        self.supportInputs = supportInputs
        self.supportTargets = supportTargets
        self.queryInputs = queryInputs
        self.queryTargets = queryTargets
    }

    /// Support and query pooled into one set (joint training and Reptile use every point).
    public var allInputs: Tensor { Tensor.concatenate([supportInputs, queryInputs], axis: 0) }
    public var allTargets: Tensor { Tensor.concatenate([supportTargets, queryTargets], axis: 0) }
}

/// The training objectives of the paper: mean squared error for regression, cross-entropy for
/// classification (targets one-hot). Predictions are [n, outputs], or [tasks, n, outputs] for a
/// task-batched model (then the loss is the sum over tasks of each task's loss).
public enum Loss: String, Sendable, Codable, CaseIterable {
    case meanSquaredError, crossEntropy

    public func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        require(prediction.shape == target.shape, "Loss \(rawValue): prediction \(prediction.shape) vs target \(target.shape)")
        // A task-batched prediction [tasks, n, outputs] gives the sum of the tasks' losses, so
        // its gradient with respect to each task's parameters is that task's own gradient.
        let tasks = prediction.rank == 3 ? prediction.shape[0] : 1
        switch self {
        case .meanSquaredError:
            return (prediction - target).square().sum() / Float(Swift.max(prediction.count / tasks, 1))
        case .crossEntropy:
            let rows = Float(Swift.max(prediction.shape[prediction.rank - 2], 1))
            return -(target * prediction.logSoftmax(axis: prediction.rank - 1)).sum() / rows
        }
    }
}

/// A model as meta-learning sees it: a function of explicit parameters, `(θ, x) → ŷ`, and its
/// loss. Any network written functionally (an `MLP`, the conv4 classifier) fits.
public struct FunctionalModel: Sendable {
    public let apply: @Sendable (_ parameters: Parameters, _ inputs: Tensor) -> Tensor
    public let loss: Loss
    /// Whether `apply` also takes task-stacked parameters ([tasks] + shape) with inputs
    /// [tasks, n, features] (an `MLP` does): MAML and Reptile then run a meta-batch as one graph.
    public let batchesTasks: Bool

    public init(loss: Loss, batchesTasks: Bool = false,
                _ apply: @escaping @Sendable (_ parameters: Parameters, _ inputs: Tensor) -> Tensor) {
        self.apply = apply
        self.loss = loss
        self.batchesTasks = batchesTasks
    }

    public func loss(_ parameters: Parameters, _ inputs: Tensor, _ targets: Tensor) -> Tensor {
        loss(apply(parameters, inputs), targets)
    }

    /// Fraction of rows whose largest output is the target's hot class (classification).
    public func accuracy(_ parameters: Parameters, _ inputs: Tensor, _ targets: Tensor) -> Float {
        Self.accuracy(logits: withoutGradients { apply(parameters, inputs) }, targets: targets)
    }

    /// Fraction of rows of `logits` whose largest entry is the one-hot target's class.
    public static func accuracy(logits: Tensor, targets: Tensor) -> Float {
        let classes = logits.shape[1]
        var correct = 0
        for row in 0..<logits.shape[0] {
            let l = logits.scalars[(row * classes)..<((row + 1) * classes)]
            let t = targets.scalars[(row * classes)..<((row + 1) * classes)]
            if l.indices.max(by: { l[$0] < l[$1] }) == t.indices.max(by: { t[$0] < t[$1] }) { correct += 1 }
        }
        return Float(correct) / Float(Swift.max(logits.shape[0], 1))
    }
}
