/// A multilayer perceptron: Linear layers `layer1`, `layer2`, … with an activation between them
/// and none after the last. Functional: `mlp(x, θ)` evaluates it at any parameters θ.
public struct MLP: Sendable, Codable, Equatable {
    /// Input size, hidden sizes, output size: [1, 40, 40, 1] is the paper's sinusoid regressor.
    public let sizes: [Int]
    public let activation: Activation
    public let layers: [Linear]

    public init(sizes: [Int], activation: Activation = .relu) {
        require(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP: sizes \(sizes) need an input and an output, all positive")
        self.sizes = sizes
        self.activation = activation
        self.layers = (1..<sizes.count).map { Linear(name: "layer\($0)", inputSize: sizes[$0 - 1], outputSize: sizes[$0]) }
    }

    /// Why a decoded MLP cannot be used (sizes out of range, layers that do not chain), or nil.
    public var inconsistency: String? {
        guard (2...18).contains(sizes.count), sizes.allSatisfy({ (1...100_000).contains($0) }) else {
            return "layer sizes \(sizes) (need 2 to 18 sizes, each 1…100000)"
        }
        let expected = (1..<sizes.count).map { Linear(name: "layer\($0)", inputSize: sizes[$0 - 1], outputSize: sizes[$0]) }
        return layers == expected ? nil : "its layers do not match its sizes \(sizes)"
    }

    public var inputSize: Int { sizes.first! }
    public var outputSize: Int { sizes.last! }

    public func callAsFunction(_ x: Tensor, _ parameters: Parameters) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h, parameters)
            if i < layers.count - 1 { h = activation(h) }
        }
        return h
    }

    /// Fresh parameters: weights by the initialiser suited to the activation (He for ReLU and
    /// SiLU, Glorot otherwise) unless one is given; biases zero.
    public func initialParameters<G: RandomNumberGenerator>(initializer: Initializer? = nil, using rng: inout G) -> Parameters {
        let initializer = initializer ?? .suited(to: activation)
        let parts = layers.map { $0.initialParameters(initializer, using: &rng) }
        return Parameters(names: parts.flatMap(\.names), tensors: parts.flatMap(\.tensors))
    }
}
