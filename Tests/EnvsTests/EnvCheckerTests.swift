import Testing
@testable import Envs

/// Gymnasium-style checks (determinism, spaces, clipping, refusal of NaN) over every registered env.
@Suite struct EnvCheckerTests {
    @Test(arguments: EnvRegistry.names)
    func everyEnvPassesTheChecker(name: String) throws {
        let problems = try EnvChecker.problems({ try makeEnv(name: name) })
        #expect(problems.isEmpty, "\(name): \(problems)")
    }

    @Test func unknownNamesAreRefusedWithTheKnownOnes() {
        do {
            _ = try makeEnv(name: "half-cheetah-velocity")
            Issue.record("accepted an unknown env")
        } catch {
            #expect("\(error)".contains("half-cheetah-vel"))
        }
    }

    @Test func wrongTaskKindIsRefused() throws {
        let env = try makeEnv(name: "half-cheetah-vel")
        #expect(throws: EnvError.self) { try env.setTask(.goalX(3)) }
    }

    @Test func nonFiniteActionErrorSaysWhich() throws {
        let env = try makeEnv(name: "quadruped-dir")
        _ = env.reset(seed: 1)
        var action = [Float](repeating: 0, count: 8)
        action[3] = .infinity
        #expect(throws: EnvError.nonFiniteAction(index: 3, value: .infinity)) { try env.step(action) }
        #expect(throws: EnvError.wrongActionCount(expected: 8, got: 2)) { try env.step([0, 0]) }
    }
}
