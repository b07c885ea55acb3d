import Testing
import Envs
import SeededRandom

/// Every registered env through 100,000 steps of random, bang-bang, far out-of-range and zero
/// actions: observations and rewards stay finite and bounded (no energy from nowhere), resets
/// included. Out-of-range actions are the env's to clip; non-finite ones are refused (EnvChecker).
@Suite struct SoakTests {
    @Test(arguments: EnvRegistry.names)
    func hundredThousandHostileStepsStayFiniteAndBounded(name: String) throws {
        let env = try makeEnv(name: name)
        let n = env.actionSpace.count
        var rng = Xoshiro256(seed: 99)
        _ = env.reset(seed: 99)
        var largest = 0.0, episodes = 0
        for step in 0..<100_000 {
            let action: [Float]
            switch (step / 500) % 4 {
            case 0: action = env.actionSpace.sample(using: &rng)
            case 1: action = (0..<n).map { _ in rng.next() & 1 == 0 ? -1 : 1 }            // bang-bang
            case 2: action = (0..<n).map { _ in Float(rng.uniform(-1000, 1000)) }       // far outside the box
            default: action = [Float](repeating: 0, count: n)
            }
            let s = try env.step(action)
            guard s.observation.allSatisfy(\.isFinite), s.reward.isFinite else {
                Issue.record("\(name): non-finite observation or reward at step \(step)")
                return
            }
            largest = max(largest, s.observation.map { Double(abs($0)) }.max() ?? 0, abs(s.reward))
            if s.terminated || s.truncated { _ = env.reset(seed: nil); episodes += 1 }
        }
        #expect(largest < 1e4, "\(name): an observation or reward reached \(largest)")
        #expect(episodes >= 100_000 / env.horizon - 1)
    }
}
