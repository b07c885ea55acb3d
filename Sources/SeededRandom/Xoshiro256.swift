/// A seeded pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018), its state
/// initialised from the seed by SplitMix64 as the authors recommend.
///
/// Every random draw in Adapt goes through an explicit generator of this type, so the same seed
/// gives the same numbers on every run and platform (no global RNG, no system entropy).
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable, Codable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// Restores a generator from a state saved with `state` (for resuming runs).
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// A generator for an independent stream, e.g. one per task or per worker, derived from this
    /// one's next output and `index`, so parallel work stays deterministic whatever the thread count.
    public mutating func split(_ index: UInt64 = 0) -> Xoshiro256 {
        Xoshiro256(seed: next() ^ (index &* 0xD1B5_4A32_D192_ED03))
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public static func == (a: Self, b: Self) -> Bool {
        a.state.0 == b.state.0 && a.state.1 == b.state.1 && a.state.2 == b.state.2 && a.state.3 == b.state.3
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }
    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        state = (try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self), try c.decode(UInt64.self))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(state.0); try c.encode(state.1); try c.encode(state.2); try c.encode(state.3)
    }
}

extension Xoshiro256 {
    /// The seed of training iteration i of a run seeded `seed`: a SplitMix-style hash of (seed, i),
    /// independent of any state, so that a resumed run draws what an uninterrupted one would.
    public static func seed(_ seed: UInt64, iteration i: Int) -> UInt64 {
        var rng = Xoshiro256(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(i + 1))
        return rng.next()
    }
}
