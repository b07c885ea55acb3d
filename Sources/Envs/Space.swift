import SeededRandom

/// A box of real vectors, `low[i] ≤ x[i] ≤ high[i]` (Gymnasium's `Box`). Observations and actions
/// are `[Float]`: the policy consumes Float, and Box2D computes in Float anyway.
public struct Space: Sendable, Hashable, Codable {
    public var low: [Float]
    public var high: [Float]

    public init(low: [Float], high: [Float]) {
        precondition(low.count == high.count, "Space bounds must have equal lengths")
        self.low = low
        self.high = high
    }

    /// The same bounds on every one of `count` components.
    public init(count: Int, low: Float, high: Float) {
        self.init(low: Array(repeating: low, count: count), high: Array(repeating: high, count: count))
    }

    /// Number of components.
    public var count: Int { low.count }

    public func contains(_ x: [Float]) -> Bool {
        x.count == count && x.indices.allSatisfy { low[$0] <= x[$0] && x[$0] <= high[$0] }
    }

    /// `x` clipped into the box component-wise.
    public func clip(_ x: [Float]) -> [Float] {
        x.indices.map { min(max(x[$0], low[$0]), high[$0]) }
    }

    /// A uniform draw from the box (bounds must be finite).
    public func sample(using rng: inout some RandomNumberGenerator) -> [Float] {
        (0..<count).map { Float(rng.uniform(Double(low[$0]), Double(high[$0]))) }
    }
}
