import Foundation

/// The activations on raw buffers, for `MLPTape`: the forward map in place, and the two element
/// products its rules need, φ′ ⊙ x and R{D ⊙ φ′} = R{D} ⊙ φ′ + D ⊙ φ″ ⊙ R{Z}. The derivatives are read
/// off the outputs A = φ(Z) where they can be (ReLU: A > 0; tanh: 1 − A²; sigmoid: A(1 − A)), so
/// a tape keeps Z only for SiLU. The same functions as the tensor ops and their backward rules,
/// sixteen lanes at a time and branch-free (ReLU's mask as a branch mispredicts on every other
/// element).
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
        case .relu: lanes(ReLU.self, count, z, z, z)
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
        case .relu: lanes(ReLUSlope.self, count, y, x, a)
        case .identity: y.update(from: x, count: count)
        case .tanh: lanes(TanhSlope.self, count, y, x, a)
        case .sigmoid: lanes(SigmoidSlope.self, count, y, x, a)
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
            lanes(TanhRBackward.self, count, y, rd, d!, rz, a)
        case .sigmoid:
            lanes(SigmoidRBackward.self, count, y, rd, d!, rz, a)
        case .silu:
            for i in 0..<count {
                let x = z![i], s = VectorMath.sigmoid(x)
                y[i] = rd[i] * (s * (1 + x * (1 - s))) + d![i] * (s * (1 - s) * (2 + x * (1 - 2 * s))) * rz[i]
            }
        }
    }
}

// MARK: - Sixteen lanes at a time

typealias Lanes = SIMD16<Float>

@inline(__always)
private func load(_ p: UnsafePointer<Float>, _ i: Int, _ n: Int) -> Lanes {
    if n == Lanes.scalarCount { return UnsafeRawPointer(p + i).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for k in 0..<n { v[k] = p[i + k] }
    return v
}

@inline(__always)
private func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ i: Int, _ n: Int) {
    if n == Lanes.scalarCount { UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: Lanes.self); return }
    for k in 0..<n { p[i + k] = v[k] }
}

/// An element function of up to four operands, sixteen lanes at a time. Types rather than
/// closures, so that each use is specialised and inlined (a closure stayed a call per lane group).
protocol LaneFunction {
    static func callAsFunction(_ a: Lanes, _ b: Lanes, _ c: Lanes, _ d: Lanes) -> Lanes
}

/// max(x, 0), reading only its first operand.
enum ReLU: LaneFunction {
    @inline(__always) static func callAsFunction(_ x: Lanes, _: Lanes, _: Lanes, _: Lanes) -> Lanes { x.replacing(with: 0, where: x .< 0) }
}
/// x ⊙ φ′ from the outputs a: ReLU's mask a > 0, tanh's 1 − a², sigmoid's a(1 − a).
enum ReLUSlope: LaneFunction {
    @inline(__always) static func callAsFunction(_ x: Lanes, _ a: Lanes, _: Lanes, _: Lanes) -> Lanes { x.replacing(with: 0, where: a .<= 0) }
}
enum TanhSlope: LaneFunction {
    @inline(__always) static func callAsFunction(_ x: Lanes, _ a: Lanes, _: Lanes, _: Lanes) -> Lanes { x * (1 - a * a) }
}
enum SigmoidSlope: LaneFunction {
    @inline(__always) static func callAsFunction(_ x: Lanes, _ a: Lanes, _: Lanes, _: Lanes) -> Lanes { x * (a * (1 - a)) }
}
/// rd ⊙ φ′ + d ⊙ φ″ ⊙ rz from the outputs a: tanh's φ″ = −2a(1 − a²), sigmoid's a(1 − a)(1 − 2a).
enum TanhRBackward: LaneFunction {
    @inline(__always) static func callAsFunction(_ rd: Lanes, _ d: Lanes, _ rz: Lanes, _ a: Lanes) -> Lanes {
        let slope = 1 - a * a
        return rd * slope + d * (-2 * a * slope) * rz
    }
}
enum SigmoidRBackward: LaneFunction {
    @inline(__always) static func callAsFunction(_ rd: Lanes, _ d: Lanes, _ rz: Lanes, _ a: Lanes) -> Lanes {
        let slope = a * (1 - a)
        return rd * slope + d * (slope * (1 - 2 * a)) * rz
    }
}

/// y[i] = F(a[i], b[i], c[i], d[i]) over `count` elements, the tail zero-padded.
@inline(__always)
func lanes<F: LaneFunction>(_ f: F.Type, _ count: Int, _ y: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>,
                            _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>? = nil, _ d: UnsafePointer<Float>? = nil) {
    let w = Lanes.scalarCount
    let (c, d) = (c ?? a, d ?? a)
    var i = 0
    while i + w <= count {
        store(F.callAsFunction(load(a, i, w), load(b, i, w), load(c, i, w), load(d, i, w)), y, i, w)
        i += w
    }
    if i < count {
        let n = count - i
        store(F.callAsFunction(load(a, i, n), load(b, i, n), load(c, i, n), load(d, i, n)), y, i, n)
    }
}
