import SeededRandom

/// Gymnasium's env checker (`gymnasium/utils/env_checker.py`) in small: properties every env must
/// have, checked the same way for all of them. Returns the problems found (empty when all hold).
public enum EnvChecker {
    public static func problems(_ make: () throws -> any Env, seed: UInt64 = 7, steps: Int = 300) throws -> [String] {
        var found: [String] = []
        let a = try make(), b = try make()
        // Reset is reproducible, and observations fit their space.
        let (o1, _) = a.reset(seed: seed), (o2, _) = b.reset(seed: seed)
        if !bitEqual(o1, o2) { found.append("reset(seed:) is not reproducible") }
        if o1.count != a.observationSpace.count { found.append("observation has \(o1.count) components, space \(a.observationSpace.count)") }
        // Same seed and actions, bit-identical rollouts (including across episode ends).
        var rngA = Xoshiro256(seed: seed), rngB = Xoshiro256(seed: seed)
        for t in 0..<steps {
            let sa = try a.step(a.actionSpace.sample(using: &rngA))
            let sb = try b.step(b.actionSpace.sample(using: &rngB))
            if !bitEqual(sa.observation, sb.observation) || sa.reward.bitPattern != sb.reward.bitPattern
                || sa.terminated != sb.terminated || sa.truncated != sb.truncated {
                found.append("rollouts with the same seed and actions diverge at step \(t)")
                break
            }
            if !a.observationSpace.contains(sa.observation) { found.append("observation outside its space at step \(t)") }
            if !sa.reward.isFinite { found.append("non-finite reward at step \(t)") }
            if abs(sa.info.reward - sa.reward) > 1e-12 { found.append("info's terms do not sum to the reward at step \(t)") }
            if sa.terminated || sa.truncated { _ = a.reset(seed: nil); _ = b.reset(seed: nil) }
        }
        // Out-of-bounds actions act as their clipped values.
        _ = a.reset(seed: seed); _ = b.reset(seed: seed)
        let big = a.actionSpace.high.map { $0 * 10 }
        if !bitEqual(try a.step(big).observation, try b.step(a.actionSpace.high).observation) {
            found.append("actions beyond the bounds are not clipped")
        }
        // Non-finite actions are refused.
        var bad = a.actionSpace.low
        bad[0] = .nan
        do { _ = try a.step(bad); found.append("a NaN action was accepted") } catch EnvError.nonFiniteAction {} catch {
            found.append("a NaN action threw \(error), not nonFiniteAction")
        }
        return found
    }

    static func bitEqual(_ x: [Float], _ y: [Float]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
