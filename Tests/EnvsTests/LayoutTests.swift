import Testing
@testable import Envs
import Physics

/// Observation layouts and spaces as the env files' tables say; oracles append the task.
@Suite struct LayoutTests {
    @Test(arguments: [
        ("navigation-2d", 2, 2), ("navigation-2d-oracle", 4, 2),
        ("half-cheetah-vel", 17, 6), ("half-cheetah-dir-oracle", 18, 6),
        ("quadruped-vel", 25, 8), ("quadruped-dir-oracle", 26, 8),
        ("quadruped-goal", 26, 8), ("quadruped-goal-oracle", 27, 8),
    ])
    func spacesHaveTheDocumentedSizes(name: String, observations: Int, actions: Int) throws {
        let env = try makeEnv(name: name)
        #expect(env.observationSpace.count == observations)
        #expect(env.actionSpace.count == actions)
        #expect(env.reset(seed: 3).observation.count == observations)
        if name.hasPrefix("navigation") {
            #expect(env.actionSpace.low == [-0.1, -0.1] && env.actionSpace.high == [0.1, 0.1])
        } else {
            #expect(env.actionSpace.low.allSatisfy { $0 == -1 } && env.actionSpace.high.allSatisfy { $0 == 1 })
        }
    }

    @Test(arguments: [
        ("navigation-2d-oracle", Task.goalPosition(x: 0.3, y: -0.2)),
        ("half-cheetah-vel-oracle", Task.goalVelocity(1.7)),
        ("half-cheetah-dir-oracle", Task.direction(-1)),
        ("quadruped-vel-oracle", Task.goalVelocity(2.5)),
        ("quadruped-dir-oracle", Task.direction(-1)),
        ("quadruped-goal-oracle", Task.goalX(-1.5)),
    ])
    func oracleObservationEndsWithTheTask(name: String, task: Task) throws {
        let env = try makeEnv(name: name)
        try env.setTask(task)
        let first = env.reset(seed: 5).observation
        let later = try env.step(env.actionSpace.high).observation
        #expect(Array(first.suffix(task.parameters.count)) == task.parameters)
        #expect(Array(later.suffix(task.parameters.count)) == task.parameters)
    }

    @Test func cheetahObservationReadsTheTorsoAndJoints() throws {
        let env = try HalfCheetah(task: .goalVelocity(1))
        _ = env.reset(seed: 2)
        let obs = try env.step([0.5, -0.5, 0.2, 0.1, -0.3, 0.4]).observation
        let r = env.robot
        #expect(obs[0] == Float(r.position(0).y))
        #expect(obs[1] == r.angle(0))
        #expect(Array(obs[2..<8]) == (0..<6).map { r.jointAngle($0) })
        #expect(obs[8] == r.velocity(0).x && obs[9] == r.velocity(0).y && obs[10] == r.angularVelocity(0))
        #expect(Array(obs[11..<17]) == (0..<6).map { r.jointSpeed($0) })
    }

    @Test func quadrupedObservationEndsWithFootContacts() throws {
        let env = try Quadruped(task: .goalVelocity(1))
        _ = env.reset(seed: 2)
        var obs: [Float] = []
        for _ in 0..<20 { obs = try env.step([Float](repeating: 0, count: 8)).observation }
        let contacts = Array(obs[21..<25])
        #expect(contacts.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(contacts == [1, 1, 1, 1], "standing still, all four feet touch the ground")
        #expect(obs[0] > 0.45 && obs[0] < 0.7, "standing height, got \(obs[0])")
    }

    @Test func navigationStartsAtTheOriginAndMovesByTheClippedAction() throws {
        let env = try PointNavigation(task: .goalPosition(x: 0.5, y: 0.5))
        #expect(env.reset(seed: 0).observation == [0, 0])
        let s = try env.step([0.05, 3])
        #expect(s.observation == [0.05, 0.1])
    }

    @Test func unitActionsMapOntoTheEnvsBoxAndClip() throws {
        var config = EnvConfig()
        config.unitActions = true
        let env = try makeEnv(name: "navigation-2d", task: .goalPosition(x: 0.5, y: 0.5), config: config)
        #expect(env is UnitActions)
        #expect(env.actionSpace == Space(count: 2, low: -1, high: 1))
        _ = env.reset(seed: 0)
        // 0.5 of the unit box is 0.05 of displacement; 3 clips to 1, i.e. 0.1.
        let s = try env.step([0.5, 3])
        #expect(abs(s.observation[0] - 0.05) < 1e-6 && abs(s.observation[1] - 0.1) < 1e-6)
        let back = try env.step([-1, -1])
        #expect(abs(back.observation[0] + 0.05) < 1e-6 && abs(back.observation[1]) < 1e-6)
        #expect(try EnvChecker.problems({ try makeEnv(name: "navigation-2d", config: config) }).isEmpty)
    }

    @Test func navigationTerminatesAtTheGoal() throws {
        let env = try PointNavigation(task: .goalPosition(x: 0.2, y: -0.1))
        _ = env.reset(seed: 0)
        _ = try env.step([0.1, -0.05])
        let s = try env.step([0.1, -0.05])
        #expect(s.terminated && !s.truncated)
        #expect(throws: EnvError.self) { try env.step([0, 0]) }
    }

    @Test func episodesAreTruncatedAtTheHorizon() throws {
        let env = try makeEnv(name: "half-cheetah-dir")
        _ = env.reset(seed: 0)
        var steps = 0, truncated = false
        while !truncated { truncated = try env.step([Float](repeating: 0, count: 6)).truncated; steps += 1 }
        #expect(steps == 200)
        #expect(env.horizon == 200)
    }

    @Test func taskDistributionsAreSeededAndInRange() {
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        let tasks = TaskDistribution.uniformVelocity(low: 0, high: 2).sample(40, using: &a)
        #expect(tasks == TaskDistribution.uniformVelocity(low: 0, high: 2).sample(40, using: &b))
        for case let .goalVelocity(v) in tasks { #expect(v >= 0 && v < 2) }
        let directions = TaskDistribution.direction.sample(100, using: &a)
        #expect(Set(directions) == [.direction(1), .direction(-1)])
        for case let .goalPosition(x, y) in TaskDistribution.uniformGoalPosition(low: -0.5, high: 0.5).sample(50, using: &a) {
            #expect(abs(x) <= 0.5 && abs(y) <= 0.5)
        }
    }
}

import SeededRandom
typealias SeededGenerator = Xoshiro256
