#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A backward rule: given the gradient flowing into an op's output, the output itself (when the
/// op saved it) and which inputs need a gradient, returns one gradient per input (nil where not
/// needed). Rules are written with differentiable `Tensor` ops, so when gradients are taken with
/// `createGraph: true` the rule's own computation is recorded and can be differentiated again.
typealias BackwardRule = @Sendable (_ grad: Tensor, _ output: Tensor, _ needs: [Bool]) -> [Tensor?]

/// One recorded op (or a leaf) in the differentiation graph. Immutable once made.
final class Node: @unchecked Sendable {
    let op: String
    let inputs: [Tensor]
    let shape: [Int]
    /// The output's elements, kept only for rules that read the output (exp, tanh, sqrt, …).
    let savedOutput: [Float]?
    let backward: BackwardRule?

    init(op: String, inputs: [Tensor], shape: [Int], savedOutput: [Float]?, backward: BackwardRule?) {
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.savedOutput = savedOutput
        self.backward = backward
    }

    static func leaf(shape: [Int]) -> Node {
        Node(op: "leaf", inputs: [], shape: shape, savedOutput: nil, backward: nil)
    }

    var isLeaf: Bool { backward == nil }
}

/// Whether ops record themselves into the graph. Per thread, so samplers on worker threads can
/// run without recording while the main thread builds a graph.
enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// True unless the current thread is inside a no-gradient scope.
    static var isRecording: Bool { pthread_getspecific(key) == nil }

    static func with<R>(recording: Bool, _ body: () throws -> R) rethrows -> R {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, recording ? nil : UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}

/// Runs `body` without recording any op: results are untracked constants and cost no graph.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.with(recording: false, body)
}

/// Runs `body` recording ops even inside a no-gradient scope: for a forward pass that takes
/// gradients itself (the meta-LSTM trains its learner while it classifies).
public func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.with(recording: true, body)
}

/// Attaches a graph node to `result` if recording is on and any input is tracked.
@inline(__always)
func record(_ result: Tensor, _ op: String, _ inputs: [Tensor], savesOutput: Bool = false,
            _ backward: @escaping BackwardRule) -> Tensor {
    guard inputs.contains(where: { $0.node != nil }), GradMode.isRecording else { return result }
    let node = Node(op: op, inputs: inputs, shape: result.shape,
                    savedOutput: savesOutput ? result.scalars : nil, backward: backward)
    return Tensor(shape: result.shape, scalars: result.scalars, node: node)
}
