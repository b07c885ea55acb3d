import Foundation

/// Elementary functions on whole buffers, eight lanes at a time. glibc's scalar `tanhf` (through
/// `expm1f`) was a quarter of a MAML-TRPO meta-iteration with a tanh policy; this is the same
/// function to within a few units in the last place, branch-free so the compiler vectorises it.
public enum VectorMath {
    /// y = tanh(x) for every element: an odd polynomial near zero, where 1 − 2/(e²ˣ + 1) would
    /// cancel, and that formula elsewhere (Cephes' tanhf split, with its coefficients).
    public static func tanh(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        let lanes = 8
        var i = 0
        let source = UnsafeRawPointer(x.baseAddress), destination = UnsafeMutableRawPointer(y.baseAddress)
        while i + lanes <= x.count {
            let v = source!.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            destination!.storeBytes(of: tanh(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += lanes
        }
        if i < x.count {
            var v = SIMD8<Float>(repeating: 0)
            for k in 0..<(x.count - i) { v[k] = x[i + k] }
            let t = tanh(v)
            for k in 0..<(x.count - i) { y[i + k] = t[k] }
        }
    }

    @inline(__always)
    static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // |x| ≥ 9 gives ±1 in Float; clamping also keeps e²ˣ finite.
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        let sign = bits & Int32.min
        let unclamped = SIMD8<Float>(bitPattern: bits & Int32.max)
        let a = unclamped.replacing(with: 9, where: unclamped .> 9)
        let s = a * a
        var p = SIMD8<Float>(repeating: -5.70498872745e-3)
        p = p * s + 2.06390887954e-2
        p = p * s - 5.37397155531e-2
        p = p * s + 1.33314422036e-1
        p = p * s - 3.33332819422e-1
        let small = p * s * a + a
        let large = 1 - 2 / (exp(2 * a) + 1)
        let magnitude = large.replacing(with: small, where: a .< 0.625)
        let signed = SIMD8<Float>(bitPattern: unsafeBitCast(magnitude, to: SIMD8<Int32>.self) | sign)
        return signed.replacing(with: x, where: x .!= x)  // NaN stays NaN, for the finiteness checks
    }

    /// eˣ for x in [−88, 88]: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-6 polynomial for eʳ
    /// (Cephes' expf), and 2ⁿ built in the exponent bits. n is rounded by adding 1.5·2²³, which
    /// leaves it in the low mantissa bits: plain float and integer lane arithmetic, no scalar
    /// conversions (Swift's generic rounding and Int32(Float) lanes are not vectorised).
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        var r = x - n * 0.693359375
        r = r + n * 2.12194440e-4
        let r2 = r * r
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * r2 + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        let twoToN = SIMD8<Float>(bitPattern: (integer &+ 127) &<< 23)
        return er * twoToN
    }

    /// 1/(1 + e⁻ˣ) without overflow for either sign of x.
    public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}

extension SIMD8<Float> {
    /// The floats whose IEEE-754 bits are `bits`.
    @inline(__always)
    init(bitPattern bits: SIMD8<Int32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
