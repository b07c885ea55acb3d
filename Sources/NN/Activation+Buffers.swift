import Foundation

/// The activations on raw buffers, for `MLPTape`: the forward map in place, and the two element
/// products its rules need, φ′ ⊙ x and R{D ⊙ φ′} = R{D} ⊙ φ′ + D ⊙ φ″ ⊙ R{Z}. The derivatives are read
/// off the outputs A = φ(Z) where they can be (ReLU: A > 0; tanh: 1 − A²; sigmoid: A(1 − A)), so
/// a tape keeps Z only for SiLU. The same functions as the tensor ops and their backward rules.
extension Activation {
    /// Whether φ″ is non-zero somewhere (ReLU's is zero wherever it is defined).
    public var hasCurvature: Bool {
        switch self {
        case .relu, .identity: false
        case .tanh, .silu, .sigmoid: true
        }
    }

    /// Whether φ′ needs Z itself rather than A = φ(Z).
    var slopeNeedsInput: Bool { self == .silu }

    /// z ← φ(z) in place.
    func apply(_ z: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: for i in 0..<count { z[i] = Swift.max(z[i], 0) }
        case .identity: break
        case .tanh:
            VectorMath.tanh(UnsafeBufferPointer(start: z, count: count), into: UnsafeMutableBufferPointer(start: z, count: count))
        case .sigmoid: for i in 0..<count { z[i] = VectorMath.sigmoid(z[i]) }
        case .silu: for i in 0..<count { z[i] = z[i] * VectorMath.sigmoid(z[i]) }
        }
    }

    /// y = φ′(Z) ⊙ x, from the outputs `a` (or the inputs `z` for SiLU).
    func slopeTimes(_ x: UnsafePointer<Float>, outputs a: UnsafePointer<Float>, inputs z: UnsafePointer<Float>?,
                    count: Int, into y: UnsafeMutablePointer<Float>) {
        switch self {
        case .relu: for i in 0..<count { y[i] = a[i] > 0 ? x[i] : 0 }
        case .identity: y.update(from: x, count: count)
        case .tanh: for i in 0..<count { y[i] = x[i] * (1 - a[i] * a[i]) }
        case .sigmoid: for i in 0..<count { y[i] = x[i] * (a[i] * (1 - a[i])) }
        case .silu:
            for i in 0..<count {
                let s = VectorMath.sigmoid(z![i])
                y[i] = x[i] * (s * (1 + z![i] * (1 - s)))
            }
        }
    }

    /// y = rd ⊙ φ′(Z) + d ⊙ φ″(Z) ⊙ rz (the second term only where φ″ ≠ 0; `d` may then be nil).
    func rBackward(_ rd: UnsafePointer<Float>, activationGradient d: UnsafePointer<Float>?, rPreActivation rz: UnsafePointer<Float>,
                   outputs a: UnsafePointer<Float>, inputs z: UnsafePointer<Float>?, count: Int, into y: UnsafeMutablePointer<Float>) {
        switch self {
        case .relu, .identity: slopeTimes(rd, outputs: a, inputs: z, count: count, into: y)
        case .tanh:
            for i in 0..<count {
                let slope = 1 - a[i] * a[i]
                y[i] = rd[i] * slope + d![i] * (-2 * a[i] * slope) * rz[i]
            }
        case .sigmoid:
            for i in 0..<count {
                let slope = a[i] * (1 - a[i])
                y[i] = rd[i] * slope + d![i] * (slope * (1 - 2 * a[i])) * rz[i]
            }
        case .silu:
            for i in 0..<count {
                let x = z![i], s = VectorMath.sigmoid(x)
                y[i] = rd[i] * (s * (1 + x * (1 - s))) + d![i] * (s * (1 - s) * (2 + x * (1 - 2 * s))) * rz[i]
            }
        }
    }
}
