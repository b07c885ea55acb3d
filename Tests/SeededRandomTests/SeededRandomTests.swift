import Testing
import SeededRandom

/// The generator against its published reference values, and the distributions built on it.
@Suite struct SeededRandomTests {
    @Test func xoshiroAndSplitMixMatchTheirReferenceImplementations() {
        // xoshiro256** (Blackman & Vigna's xoshiro256starstar.c) from the state {1, 2, 3, 4}.
        var g = Xoshiro256(state: (1, 2, 3, 4))
        #expect([g.next(), g.next(), g.next(), g.next()] == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
        // SplitMix64 (Vigna's splitmix64.c) from 0 seeds the state: its first two outputs.
        let seeded = Xoshiro256(seed: 0)
        #expect(seeded.state.0 == 0xE220_A839_7B1D_CDAF && seeded.state.1 == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func sameSeedSameStreamOtherSeedOtherStream() {
        var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42), c = Xoshiro256(seed: 43)
        let (x, y, z) = ((0..<100).map { _ in a.next() }, (0..<100).map { _ in b.next() }, (0..<100).map { _ in c.next() })
        #expect(x == y && x != z)
        var parent = Xoshiro256(seed: 42)
        var first = parent.split(0), second = parent.split(1)
        #expect(first.next() != second.next())
    }

    @Test func distributionsHaveTheirMoments() {
        var g = Xoshiro256(seed: 7)
        let n = 200_000
        let uniform = (0..<n).map { _ in g.uniform(-2, 3) }
        #expect(uniform.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(abs(uniform.reduce(0, +) / Double(n) - 0.5) < 0.02)
        let normal = (0..<n).map { _ in g.normal() }
        let mean = normal.reduce(0, +) / Double(n)
        let variance = normal.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.02, "mean \(mean), variance \(variance)")
        let integers = (0..<n).map { _ in g.integer(below: 5) }
        #expect(Set(integers) == [0, 1, 2, 3, 4] && integers.filter { $0 == 4 }.count > n / 6)
        var deck = Array(0..<52)
        g.shuffle(&deck)
        #expect(deck.sorted() == Array(0..<52) && deck != Array(0..<52))
    }
}
