/// The non-linearities a network can use between layers.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case relu, tanh, silu, sigmoid, identity

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .tanh: x.tanh()
        case .silu: x.silu()
        case .sigmoid: x.sigmoid()
        case .identity: x
        }
    }
}
