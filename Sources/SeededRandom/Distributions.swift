/// Draws used across Adapt, written out so they are identical on every platform (the standard
/// library's `Float.random(in:using:)` is free to change its algorithm between releases).
extension RandomNumberGenerator {
    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// Standard normal by the Box–Muller transform (one of the pair is used, for simplicity of state).
    public mutating func normal() -> Double {
        var u1 = uniform()
        while u1 <= .leastNormalMagnitude { u1 = uniform() }
        let u2 = uniform()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Normal with the given mean and standard deviation.
    public mutating func normal(mean: Double, std: Double) -> Double {
        mean + std * normal()
    }

    /// A uniformly drawn integer in 0..<upperBound, without modulo bias.
    public mutating func integer(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "integer(below:) needs a positive bound, got \(upperBound)")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    /// Fisher–Yates shuffle driven by this generator.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, integer(below: i + 1))
        }
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
private func _log(_ x: Double) -> Double { Darwin.log(x) }
private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
