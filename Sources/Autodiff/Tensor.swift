/// An n-dimensional array of `Float` in contiguous row-major storage, with copy-on-write value
/// semantics (the storage is a Swift array) and an optional place in a differentiation graph.
///
/// Tensors are values: every op returns a new tensor. When gradient recording is on (the default)
/// and an input is tracked, the result remembers how it was made (`node`), so `gradients(of:wrt:)`
/// can run backwards through it — and, because every backward rule is written with these same
/// ops, through the backward pass itself (gradients of gradients).
public struct Tensor: @unchecked Sendable {
    /// Sizes of the dimensions, outermost first. A scalar has shape `[]`.
    public let shape: [Int]
    /// The elements in row-major order.
    public internal(set) var scalars: [Float]
    /// The op that produced this tensor, if it is part of a recorded graph.
    internal var node: Node?

    internal init(shape: [Int], scalars: [Float], node: Node?) {
        self.shape = shape
        self.scalars = scalars
        self.node = node
    }

    /// A constant tensor with the given elements in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        require(shape.elementCount == scalars.count,
                     "Tensor: shape \(shape) holds \(shape.elementCount) elements, got \(scalars.count)")
        self.init(shape: shape, scalars: scalars, node: nil)
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value], node: nil)
    }

    /// A rank-1 tensor.
    public init(_ values: [Float]) {
        self.init(shape: [values.count], scalars: values, node: nil)
    }

    /// A rank-2 tensor from rows of equal length.
    public init(_ rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == columns }, "Tensor: rows of unequal length")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 }, node: nil)
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.elementCount), node: nil)
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        require(count == 1, "scalar: tensor of shape \(shape) has \(count) elements, not 1")
        return scalars[0]
    }

    /// Whether this tensor takes part in a recorded graph (a tracked leaf or an op's result).
    public var isTracked: Bool { node != nil }

    /// This tensor as a leaf of the graph: gradients can be taken with respect to it.
    /// Each call makes a new leaf, distinct from any other.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, scalars: scalars, node: Node.leaf(shape: shape))
    }

    /// The same values, cut off from the graph: a stop-gradient.
    public func detached() -> Tensor {
        Tensor(shape: shape, scalars: scalars, node: nil)
    }

    /// Runs `body` with the element buffer, for kernels outside this module.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Mutates the elements in place and drops any graph membership (an in-place change is not
    /// differentiable); used by optimisers and samplers.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        node = nil
        return try scalars.withUnsafeMutableBufferPointer(body)
    }
}

extension Tensor: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public init(floatLiteral value: Float) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Float(value)) }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        let more = count > 8 ? ", … (\(count) elements)" : ""
        return "Tensor(shape: \(shape), [\(shown)\(more)]\(isTracked ? ", tracked" : ""))"
    }
}

extension Array where Element == Int {
    /// The number of elements a tensor of this shape holds.
    var elementCount: Int { reduce(1, *) }
}
