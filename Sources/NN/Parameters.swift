@_exported import Autodiff

/// An ordered, named list of tensors: a model's parameters (θ) or anything shaped like them
/// (gradients, Adam moments). Names double as safetensors keys (`layer1.weight`).
///
/// Models take a `Parameters` value at call time, so one model can be evaluated at θ and at an
/// adapted θ′ = θ − α∇L(θ). Adaptation returns a new value; nothing is mutated behind the scenes.
public struct Parameters: Sendable {
    public let names: [String]
    public var tensors: [Tensor]
    private let index: [String: Int]

    public init(names: [String], tensors: [Tensor]) {
        require(names.count == tensors.count, "Parameters: \(names.count) names for \(tensors.count) tensors")
        require(Set(names).count == names.count, "Parameters: duplicate names in \(names)")
        self.names = names
        self.tensors = tensors
        self.index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    }

    /// Same names as an existing value: its name index is shared, not rebuilt (maps and zips run
    /// at every op of an inner loop).
    private init(names: [String], tensors: [Tensor], index: [String: Int]) {
        require(names.count == tensors.count, "Parameters: \(names.count) names for \(tensors.count) tensors")
        self.names = names
        self.tensors = tensors
        self.index = index
    }

    public subscript(name: String) -> Tensor {
        guard let i = index[name] else {
            fatalError("Parameters: no tensor named '\(name)' (have \(names.joined(separator: ", ")))")
        }
        return tensors[i]
    }

    public var count: Int { tensors.count }
    /// The total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// Each tensor transformed, names kept.
    public func map(_ transform: (Tensor) throws -> Tensor) rethrows -> Parameters {
        Parameters(names: names, tensors: try tensors.map(transform), index: index)
    }

    /// Pairs each tensor with the same-named tensor of `other`.
    public func zip(_ other: Parameters, _ combine: (Tensor, Tensor) throws -> Tensor) rethrows -> Parameters {
        require(names == other.names, "Parameters.zip: names differ: \(names) vs \(other.names)")
        return Parameters(names: names, tensors: try Swift.zip(tensors, other.tensors).map(combine), index: index)
    }

    /// Every tensor as a new leaf of the graph, to take gradients with respect to.
    /// The named tensors among `names`, in this set's order.
    public func subset(_ names: Set<String>) -> Parameters {
        let kept = self.names.indices.filter { names.contains(self.names[$0]) }
        return Parameters(names: kept.map { self.names[$0] }, tensors: kept.map { tensors[$0] })
    }

    /// This set with the tensors of `other` in place of those of the same names.
    public func replacing(with other: Parameters) -> Parameters {
        var result = self
        for (name, tensor) in Swift.zip(other.names, other.tensors) {
            guard let i = names.firstIndex(of: name) else { continue }
            result.tensors[i] = tensor
        }
        return result
    }

    /// Both sets, this one's names first (the names must differ).
    public func appending(_ other: Parameters) -> Parameters {
        Parameters(names: names + other.names, tensors: tensors + other.tensors)
    }

    public func requiringGradient() -> Parameters { map { $0.requiringGradient() } }

    public func detached() -> Parameters { map { $0.detached() } }

    /// All tensors as one vector (differentiable), in name order, for conjugate gradient and TRPO.
    public func flattened() -> Tensor {
        Tensor.concatenate(tensors.map { $0.reshaped([-1]) }, axis: 0)
    }

    /// A vector of `scalarCount` elements cut back into tensors shaped like these (differentiable).
    public func unflattened(_ vector: Tensor) -> Parameters {
        require(vector.shape == [scalarCount], "unflattened: vector of shape \(vector.shape), expected [\(scalarCount)]")
        var start = 0
        return map { t in
            defer { start += t.count }
            return vector.sliced(axis: 0, start ..< start + t.count).reshaped(t.shape)
        }
    }

    /// Σ ⟨aᵢ, bᵢ⟩ over all tensors.
    public func dot(_ other: Parameters) -> Tensor {
        Swift.zip(tensors, other.tensors).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool { tensors.allSatisfy { $0.scalars.allSatisfy(\.isFinite) } }
}

/// Gradients of a scalar with respect to every tensor of `parameters`, as a `Parameters` value.
public func gradients(of y: Tensor, wrt parameters: Parameters, createGraph: Bool = false) -> Parameters {
    Parameters(names: parameters.names, tensors: gradients(of: y, wrt: parameters.tensors, createGraph: createGraph))
}
