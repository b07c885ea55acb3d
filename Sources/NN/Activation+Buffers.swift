import Foundation

/// The activations on raw buffers, with the derivatives `MLPTape` keeps: φ′ for backpropagation
/// and the R-operator, φ″ for the Hessian's curvature term (ReLU and the identity have none).
extension Activation {
    /// Whether φ″ is non-zero somewhere (ReLU's is zero wherever it is defined).
    public var hasCurvature: Bool {
        switch self {
        case .relu, .identity: false
        case .tanh, .silu, .sigmoid: true
        }
    }

    /// z ← φ(z) in place, with φ′(z) into `slopes` and, when given, φ″(z) into `curvatures`:
    /// the same functions as the tensor ops (`Tensor.relu()`, …) and their backward rules.
    func apply(_ z: UnsafeMutablePointer<Float>, count: Int, slopes: UnsafeMutablePointer<Float>,
               curvatures: UnsafeMutablePointer<Float>?) {
        switch self {
        case .relu:
            for i in 0..<count {
                let x = z[i]
                slopes[i] = x > 0 ? 1 : 0
                z[i] = Swift.max(x, 0)
            }
        case .identity:
            slopes.update(repeating: 1, count: count)
        case .tanh:
            VectorMath.tanh(UnsafeBufferPointer(start: z, count: count), into: UnsafeMutableBufferPointer(start: z, count: count))
            for i in 0..<count {
                let y = z[i], slope = 1 - y * y
                slopes[i] = slope
                curvatures?[i] = -2 * y * slope
            }
        case .sigmoid:
            for i in 0..<count {
                let y = VectorMath.sigmoid(z[i]), slope = y * (1 - y)
                z[i] = y
                slopes[i] = slope
                curvatures?[i] = slope * (1 - 2 * y)
            }
        case .silu:
            for i in 0..<count {
                let x = z[i], s = VectorMath.sigmoid(x)
                z[i] = x * s
                slopes[i] = s * (1 + x * (1 - s))
                curvatures?[i] = s * (1 - s) * (2 + x * (1 - 2 * s))
            }
        }
    }
}
