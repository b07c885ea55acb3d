import NN

/// A meta-batch of few-shot tasks stacked along a leading task axis ([tasks, n, features]), so a
/// task-batched model runs all of them as one graph with one batched product per layer.
public struct TaskBatch: Sendable {
    public let count: Int
    public let supportInputs: Tensor
    public let supportTargets: Tensor
    public let queryInputs: Tensor
    public let queryTargets: Tensor

    /// The stacked tasks, or nil when they cannot stack (empty, or support or query shapes differ).
    public init?(_ tasks: [FewShotTask]) {
        guard let first = tasks.first, tasks.allSatisfy({
            $0.supportInputs.shape == first.supportInputs.shape && $0.supportTargets.shape == first.supportTargets.shape
                && $0.queryInputs.shape == first.queryInputs.shape && $0.queryTargets.shape == first.queryTargets.shape
        }) else { return nil }
        count = tasks.count
        supportInputs = Self.stack(tasks.map(\.supportInputs))
        supportTargets = Self.stack(tasks.map(\.supportTargets))
        queryInputs = Self.stack(tasks.map(\.queryInputs))
        queryTargets = Self.stack(tasks.map(\.queryTargets))
    }

    /// Support and query pooled per task ([tasks, support + query, features]), as Reptile uses them.
    public var allPoints: (inputs: Tensor, targets: Tensor) {
        (Tensor.concatenate([supportInputs, queryInputs], axis: 1), Tensor.concatenate([supportTargets, queryTargets], axis: 1))
    }

    static func stack(_ tensors: [Tensor]) -> Tensor {
        Tensor(shape: [tensors.count] + tensors[0].shape, scalars: tensors.flatMap(\.scalars))
    }

    /// One copy of every parameter per task ([tasks] + shape); the copies' gradients sum back
    /// into the original, so differentiating through them gives the meta-gradient.
    public func copies(of parameters: Parameters) -> Parameters {
        parameters.map { $0.broadcast(to: [count] + $0.shape) }
    }

    /// ‖g_t‖ for each task t of task-stacked gradients.
    public func perTaskNorms(_ gradients: Parameters) -> [Float] {
        (0..<count).map { t in
            gradients.tensors.reduce(Float(0)) { total, g in
                let size = g.count / count
                return total + g.sumOfSquares(t * size ..< (t + 1) * size)
            }.squareRoot()
        }
    }
}
