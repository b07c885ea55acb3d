import Testing
@testable import Envs
import Physics
import SeededRandom

/// Rewards recomputed by the formulas each env's doc table states; physical sanity over long random rollouts.
@Suite struct DynamicsTests {
    /// The clipped action's squared norm.
    func squaredNorm(_ a: [Float], _ space: Space) -> Double {
        space.clip(a).reduce(0) { $0 + Double($1) * Double($1) }
    }

    @Test(arguments: ["half-cheetah-vel", "half-cheetah-dir", "quadruped-vel", "quadruped-dir", "quadruped-goal"])
    func rewardFollowsTheWrittenFormula(name: String) throws {
        let spec = try EnvRegistry.spec(name)
        var rng = Xoshiro256(seed: 11)
        let env = try spec.make(task: spec.tasks.sample(using: &rng))
        let quadruped = name.hasPrefix("quadruped")
        var (obs, info) = env.reset(seed: 4)
        for _ in 0..<60 {
            let action = env.actionSpace.sample(using: &rng).map { $0 * 1.5 }  // some beyond the bounds
            let before = info.x
            let s = try env.step(action)
            let vx = s.info.forwardVelocity
            let cost = (quadruped ? 0.005 : 0.05) * squaredNorm(action, env.actionSpace)
            let bonus = quadruped ? (s.terminated ? 0 : 0.05) : 0
            let taskTerm: Double
            switch env.task {
            case let .goalVelocity(v): taskTerm = (quadruped ? 1 : 0) - abs(vx - v)
            case let .direction(d): taskTerm = d * vx
            case let .goalX(g): taskTerm = -abs(Double(s.observation[25]) - g)   // x is in the observation
            default: taskTerm = .nan
            }
            #expect(abs(s.reward - (taskTerm - cost + bonus)) < 1e-5, "\(name): \(s.reward) vs \(taskTerm - cost + bonus)")
            // vx is the frame-skip average: the displacement over the step's duration.
            #expect(abs(vx - (s.info.x - before) / 0.05) < 1e-3)
            obs = s.observation
            info = s.info
            if s.terminated { break }
        }
        _ = obs
    }

    @Test func navigationRewardIsMinusTheDistance() throws {
        let env = try PointNavigation(task: .goalPosition(x: -0.3, y: 0.4))
        _ = env.reset(seed: 0)
        var rng = Xoshiro256(seed: 3)
        for _ in 0..<50 {
            let s = try env.step(env.actionSpace.sample(using: &rng))
            let dx = Double(s.observation[0]) + 0.3, dy = Double(s.observation[1]) - 0.4
            #expect(abs(s.reward + (dx * dx + dy * dy).squareRoot()) < 1e-6)
            if s.terminated { break }
        }
    }

    /// 10,000 random steps: finite, inside the world, physically plausible speeds, joints within
    /// their limits up to Box2D's solver tolerance.
    @Test(arguments: ["half-cheetah-vel", "quadruped-vel"])
    func longRandomRolloutsStayPhysical(name: String) throws {
        let env = try makeEnv(name: name)
        let robot = (env as? HalfCheetah)?.robot ?? (env as! Quadruped).robot
        let joints = robot.morphology.jointBodies.map { robot.morphology.bodies[$0].joint! }
        var rng = Xoshiro256(seed: 21)
        _ = env.reset(seed: 21)
        var overshoots: [Double] = []
        for _ in 0..<10_000 {
            let s = try env.step(env.actionSpace.sample(using: &rng))
            #expect(s.observation.allSatisfy { $0.isFinite })
            let x = robot.position(0).x
            #expect(abs(x) < robot.morphology.ground.halfWidth)
            #expect(robot.position(0).y > -0.1 && robot.position(0).y < 5)
            for b in 0..<robot.morphology.bodies.count {
                let v = robot.velocity(b)
                #expect(abs(v.x) < 30 && abs(v.y) < 30 && abs(robot.angularVelocity(b)) < 100)
            }
            var worst = 0.0
            for (j, spec) in joints.enumerated() {
                let q = Double(robot.jointAngle(j))
                worst = max(worst, spec.lower - q, q - spec.upper)
            }
            overshoots.append(worst)
            if s.terminated || s.truncated { _ = env.reset(seed: nil) }
        }
        // Box2D's limits are stiff but not rigid: its position solver corrects at most
        // b2_maxAngularCorrection (8° ≈ 0.14 rad) per step, so hard kicks overshoot briefly.
        overshoots.sort()
        #expect(overshoots[overshoots.count * 99 / 100] < 0.05, "1% of steps overshoot a limit by more than 0.05 rad")
        #expect(overshoots.last! < 0.15, "a joint left its range by \(overshoots.last!) rad")
    }

    @Test func quadrupedSurvivesRandomActions() throws {
        let env = try Quadruped(task: .goalVelocity(1))
        var rng = Xoshiro256(seed: 5)
        var lengths: [Int] = []
        for episode in 0..<10 {
            _ = env.reset(seed: UInt64(episode))
            var t = 0, done = false
            while !done {
                let s = try env.step(env.actionSpace.sample(using: &rng))
                t += 1
                done = s.terminated || s.truncated
            }
            lengths.append(t)
        }
        #expect(lengths.min()! >= 20, "random actions flipped it within \(lengths.min()!) steps")
        #expect(lengths.reduce(0, +) / lengths.count >= 100, "episode lengths \(lengths)")
    }

    /// With `terminateWhenUnhealthy` off, the step at which the default env terminates goes on, in
    /// the same state, without the survival bonus; the episode then runs to the horizon.
    @Test func quadrupedCanRunOnWhenUnhealthy() throws {
        var config = EnvConfig()
        config.terminateWhenUnhealthy = false
        let ending = try Quadruped(task: .goalVelocity(0.5)), running = try Quadruped(task: .goalVelocity(0.5), config: config)
        var rng = Xoshiro256(seed: 5)
        for episode in 0..<20 {
            _ = ending.reset(seed: UInt64(episode))
            _ = running.reset(seed: UInt64(episode))
            for t in 0..<200 {
                let action = ending.actionSpace.sample(using: &rng)
                let a = try ending.step(action), b = try running.step(action)
                #expect(a.observation == b.observation)
                guard a.terminated else { continue }
                #expect(!b.terminated && !running.isHealthy && b.info.survivalBonus == 0 && b.reward == a.reward)
                var steps = t + 1, truncated = false
                while !truncated { truncated = try running.step(action).truncated; steps += 1 }
                #expect(steps == 200)
                return
            }
        }
        Issue.record("random actions never made the quadruped unhealthy in 20 episodes")
    }

    /// A trot: diagonal legs (front-left with back-right) in phase, the pairs half a period apart.
    @Test func openLoopTrotMovesTheQuadrupedForward() throws {
        let env = try Quadruped(task: .direction(1))
        _ = env.reset(seed: 0)
        var total = 0.0
        for t in 0..<200 {
            let phase = Double(t) * 2 * .pi / 8
            var a = [Float](repeating: 0, count: 8)
            for leg in 0..<4 {
                let offset = leg == 0 || leg == 3 ? 0 : Double.pi
                a[2 * leg] = Float(sin(phase + offset))
                a[2 * leg + 1] = Float(0.5 * sin(phase + offset + .pi))
            }
            let s = try env.step(a)
            #expect(!s.terminated)
            total += s.info.forwardVelocity
        }
        #expect(total / 200 > 0.5, "mean forward velocity \(total / 200) m/s")
        #expect(env.robot.position(0).x > 5)
    }

    @Test func vectorEnvMatchesSingleEnvsOnBothThreadCounts() throws {
        for threads in [1, 2] {
            let vector = try VectorEnv(name: "half-cheetah-vel", count: 4, threads: threads)
            try vector.setTasks([.goalVelocity(0.5), .goalVelocity(1), .goalVelocity(1.5), .goalVelocity(2)])
            let singles = try (0..<4).map { i in try makeEnv(name: "half-cheetah-vel", task: .goalVelocity(0.5 * Double(i + 1))) }
            vector.reset(seeds: [1, 2, 3, 4])
            for (i, env) in singles.enumerated() { _ = env.reset(seed: UInt64(i + 1)) }
            var rng = Xoshiro256(seed: 8)
            for _ in 0..<30 {
                let actions = (0..<4).flatMap { _ in vector.envs[0].actionSpace.sample(using: &rng) }
                try vector.step(actions)
                for (i, env) in singles.enumerated() {
                    let s = try env.step(Array(actions[6 * i..<6 * (i + 1)]))
                    #expect(Array(vector.observations[17 * i..<17 * (i + 1)]) == s.observation)
                    #expect(vector.rewards[i] == s.reward)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
