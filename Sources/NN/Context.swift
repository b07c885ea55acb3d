/// CAVIA's context (Zintgraf et al. 2019): a vector φ of a few numbers, named `context` among the
/// parameters, appended to every input of the network. It starts at zero for each task and is the
/// only thing the inner loop adapts; the network's weights θ are shared across tasks, and φ is not
/// part of them (a checkpoint holds θ alone). Supervised models and RL policies both use it.
public enum Context {
    public static let name = "context"

    /// x with φ appended to each row: x [n, d] and φ [1, c] give [n, d + c]; task-batched, x
    /// [T, n, d] and φ [T, 1, c] give [T, n, d + c].
    public static func appended(to x: Tensor, _ context: Tensor) -> Tensor {
        var shape = x.shape
        shape[shape.count - 1] = context.shape[context.shape.count - 1]
        return Tensor.concatenate([x, context.broadcast(to: shape)], axis: x.rank - 1)
    }

    /// φ = 0, for one task ([1, size]) or for each of `tasks` ([tasks, 1, size]), tracked so that
    /// the inner loop can differentiate by it.
    public static func zeros(size: Int, tasks: Int? = nil) -> Parameters {
        let shape = tasks.map { [$0, 1, size] } ?? [1, size]
        return Parameters(names: [name], tensors: [Tensor.zeros(shape).requiringGradient()])
    }
}
