import Experiments
import NN

/// CAVIA's context (Zintgraf et al. 2019): a vector φ of a few numbers, named `context` among the
/// parameters, appended to every input of the network. It starts at zero for each task and is the
/// only thing the inner loop adapts; the network's weights are shared across tasks.
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

    /// What a trained model runs on at test time: θ, and for CAVIA a zero context of `size`.
    public static func testParameters(_ theta: Parameters, algorithm: Method, size: Int) -> Parameters {
        algorithm == .cavia ? theta.appending(zeros(size: size)) : theta
    }

    /// The parameters test-time steps change: CAVIA its context only, the others all (nil).
    public static func adapted(by algorithm: Method) -> Set<String>? { algorithm == .cavia ? [name] : nil }
}
