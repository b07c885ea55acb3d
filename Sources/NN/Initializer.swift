import Foundation

/// Weight initialisers, drawing from an explicit seeded generator.
public enum Initializer: String, Sendable, Codable {
    /// Glorot & Bengio (2010): U(±√(6 / (fan_in + fan_out))), suited to tanh and sigmoid.
    case glorotUniform
    /// He et al. (2015): N(0, 2 / fan_in), suited to ReLU.
    case heNormal
    case zeros

    /// A weight matrix of shape [fanIn, fanOut].
    public func weight<G: RandomNumberGenerator>(fanIn: Int, fanOut: Int, using rng: inout G) -> Tensor {
        switch self {
        case .glorotUniform:
            let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
            return Tensor.randomUniform([fanIn, fanOut], in: -limit...limit, using: &rng)
        case .heNormal:
            return Tensor.randomNormal([fanIn, fanOut], std: Float((2.0 / Double(fanIn)).squareRoot()), using: &rng)
        case .zeros:
            return Tensor.zeros([fanIn, fanOut])
        }
    }

    /// The initialiser that suits an activation.
    public static func suited(to activation: Activation) -> Initializer {
        activation == .relu || activation == .silu ? .heNormal : .glorotUniform
    }
}
