import ArgumentParser
import Envs
import Foundation
import Physics
import SeededRandom

/// `adapt bench envs`: env steps per second for each env on one thread (random actions, a reset
/// every episode end), raw physics steps per second, and vectorised stepping on 1 and 2 threads.
/// Single-threaded rates are also given per second of this thread's CPU time, which other
/// processes on a shared machine do not inflate. Targets (issue 3): half-cheetah ≥ 26,100 steps/s (Gymnasium's MuJoCo HalfCheetah-v5 from
/// Python on this machine kind), quadruped ≥ 21,000 (5 × Ant-v5), vectorised ≈ 2× on both cores.
struct BenchEnvs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envs", abstract: "Time the environments: env steps/s, physics steps/s, vectorised stepping.")

    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Env steps timed per env.") var steps = 40_000
    @Option(help: "Copies in the vectorised measurement (the paper's 20 episodes per task).") var copies = 20

    struct Vectorised: Encodable {
        var env: String
        var copies: Int
        var stepsPerSecondOneThread: Double
        var stepsPerSecondTwoThreads: Double
        var speedup: Double
    }

    struct Report: Encodable {
        var suite = "envs"
        var processors = ProcessInfo.processInfo.activeProcessorCount
        var envStepsPerSecond: [String: Double]
        var envStepsPerCpuSecond: [String: Double]
        var physicsStepsPerSecond: [String: Double]
        var physicsStepsPerCpuSecond: [String: Double]
        var vectorised: [Vectorised]
        var settings = "physics step 0.01 s, frame-skip 5, velocity iterations 8, position iterations 3"
    }

    func validate() throws {
        try Limits.check("--steps", steps, in: 1...100_000_000)
        try Limits.check("--copies", copies, in: 1...10_000)
    }

    func run() throws {
        var envRates: [String: Double] = [:], envCPU: [String: Double] = [:]
        for name in EnvRegistry.names where !name.hasSuffix("-oracle") {
            (envRates[name], envCPU[name]) = try envStepsPerSecond(name)
        }
        var physics: [String: Double] = [:], physicsCPU: [String: Double] = [:]
        for robot in ["half-cheetah", "quadruped"] { (physics[robot], physicsCPU[robot]) = try physicsStepsPerSecond(robot) }
        let vectorised = try ["half-cheetah-vel", "quadruped-vel"].map(vectorisedRate)
        try Measure.print(Report(envStepsPerSecond: envRates, envStepsPerCpuSecond: envCPU, physicsStepsPerSecond: physics,
                                 physicsStepsPerCpuSecond: physicsCPU, vectorised: vectorised), json: json)
    }

    /// Random actions drawn up front (the policy's cost is not the env's), resets included.
    private func envStepsPerSecond(_ name: String) throws -> (wall: Double, cpu: Double) {
        let env = try makeEnv(name: name)
        let actions = randomActions(env.actionSpace, count: 4096)
        func run(_ n: Int) throws {
            _ = env.reset(seed: 1)
            for i in 0..<n {
                let s = try env.step(actions[i & 4095])
                if s.terminated || s.truncated { _ = env.reset(seed: nil) }
            }
        }
        try run(2000)
        let start = DispatchTime.now().uptimeNanoseconds, cpu = threadCPUSeconds()
        try run(steps)
        return (Double(steps) / seconds(since: start), Double(steps) / (threadCPUSeconds() - cpu))
    }

    /// Box2D sub-steps through `Robot.step` alone: no observation, reward or reset.
    private func physicsStepsPerSecond(_ robotName: String) throws -> (wall: Double, cpu: Double) {
        let robot = Robot(morphology: try RobotFiles.morphology(robotName))
        var rng = Xoshiro256(seed: 2)
        let actions = (0..<4096 * robot.jointCount).map { _ in Float(rng.uniform(-1, 1)) }
        let n = steps
        let start = DispatchTime.now().uptimeNanoseconds, cpu = threadCPUSeconds()
        actions.withUnsafeBufferPointer { a in
            for i in 0..<n {
                if i % 200 == 0 { robot.reset() }
                _ = robot.step(a.baseAddress! + (i & 4095) * robot.jointCount)
            }
        }
        let physicsSteps = Double(n * robot.settings.frameSkip)
        return (physicsSteps / seconds(since: start), physicsSteps / (threadCPUSeconds() - cpu))
    }

    /// Whole episodes of `copies` envs stepped together, as the sampler does.
    private func vectorisedRate(_ name: String) throws -> Vectorised {
        var rates: [Double] = []
        for threads in [1, 2] {
            let vector = try VectorEnv(name: name, count: copies, threads: threads)
            let actions = randomActions(vector.envs[0].actionSpace, count: 64).map { row in
                (0..<copies).flatMap { _ in row }
            }
            let episodes = max(1, steps / (copies * 200))
            var total = 0
            vector.reset(seeds: (0..<copies).map(UInt64.init))
            let start = DispatchTime.now().uptimeNanoseconds
            for e in 0..<episodes {
                vector.reset(seeds: (0..<copies).map { UInt64(e * copies + $0) })
                var t = 0
                while !vector.allDone {
                    try vector.step(actions[t & 63])
                    t += 1
                    total += copies
                }
            }
            rates.append(Double(total) / seconds(since: start))
        }
        return Vectorised(env: name, copies: copies, stepsPerSecondOneThread: rates[0],
                          stepsPerSecondTwoThreads: rates[1], speedup: rates[1] / rates[0])
    }

    private func randomActions(_ space: Space, count: Int) -> [[Float]] {
        var rng = Xoshiro256(seed: 3)
        return (0..<count).map { _ in space.sample(using: &rng) }
    }

    private func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}
