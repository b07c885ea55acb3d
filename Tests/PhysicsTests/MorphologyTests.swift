import Config
import Foundation
import Testing
@testable import Physics

/// A valid one-leg robot; tests break one key at a time.
let pendulum = """
name: pendulum
ground: {friction: 0.9}
defaults: {radius: 0.05, density: 1000, friction: 0.5}
initialPose: {position: [0, 10]}
bodies:
  - name: torso
    shapes:
      - box: {halfSize: [0.5, 0.1], depth: 0.1}
  - name: leg
    parent: torso
    anchor: [0.5, 0]
    joint: {range: [-1, 1], gear: 10}
    shapes:
      - capsule: {from: [0, 0], to: [0, -0.3]}
"""

@Suite struct MorphologyTests {
    @Test func parsesAValidFile() throws {
        let m = try Morphology.parse(pendulum, file: "pendulum.yaml")
        #expect(m.bodies.count == 2)
        #expect(m.jointCount == 1)
        #expect(m.bodies[1].parent == 0)
        #expect(m.bodies[1].joint?.gear == 10)
    }

    @Test(arguments: [
        ("gear: 10", "gear: ten", "bodies[1].joint.gear"),
        ("gear: 10", "gear: 10, gearz: 3", "bodies[1].joint.gearz"),
        ("parent: torso", "parent: tail", "bodies[1].parent"),
        ("range: [-1, 1]", "range: [1, -1]", "bodies[1].joint.range"),
        ("anchor: [0.5, 0]", "anchor: [0.5]", "bodies[1].anchor"),
        ("ground: {friction: 0.9}", "ground: {}", "ground.friction"),
        ("box: {halfSize: [0.5, 0.1], depth: 0.1}", "box: {halfSize: [0.5, -0.1]}", "bodies[0].shapes[0].box.halfSize"),
    ])
    func malformedFileNamesTheKey(original: String, broken: String, key: String) throws {
        let text = pendulum.replacingOccurrences(of: original, with: broken)
        #expect(text != pendulum)
        do {
            _ = try Morphology.parse(text, file: "envs/broken.yaml")
            Issue.record("accepted a malformed file (\(broken))")
        } catch let error as ConfigError {
            #expect(error.key == key)
            #expect(error.description.contains("envs/broken.yaml"))
            #expect(error.description.contains(key))
        }
    }

    @Test func unreadableFileNamesTheFile() {
        #expect(throws: ConfigError.self) { try Morphology.load(file: "/nonexistent/robot.yaml") }
    }

    @Test func massesFollowTheThreeDimensionalSolids() throws {
        let robot = Robot(morphology: try Morphology.parse(pendulum, file: "pendulum.yaml"))
        #expect(abs(robot.mass(0) - 1000 * 1.0 * 0.2 * 0.1) < 1e-3 * 20)
        let capsule = Double.pi * 0.05 * 0.05 * 0.3 + 4.0 / 3.0 * Double.pi * pow(0.05, 3)
        #expect(abs(robot.mass(1) - 1000 * capsule) < 1e-3 * robot.mass(1))
    }
}

@Suite struct WorldTests {
    /// Semi-implicit Euler from rest: after n steps of dt, y = y0 − g·dt²·n(n+1)/2, which tends to
    /// ½gt²; both checks use the configured dt and frame-skip.
    @Test(arguments: [(0.01, 5), (0.005, 2)])
    func freeFallMatchesHalfGTSquared(dt: Double, frameSkip: Int) throws {
        var settings = PhysicsSettings()
        settings.timeStep = dt
        settings.frameSkip = frameSkip
        let robot = Robot(morphology: try Morphology.parse(pendulum, file: "pendulum.yaml"), settings: settings)
        let action: [Float] = [0]
        let envSteps = 20
        for _ in 0..<envSteps { _ = action.withUnsafeBufferPointer { robot.step($0.baseAddress!) } }
        let n = Double(envSteps * frameSkip)
        let t = n * dt
        let fallen = 10 - robot.position(0).y
        #expect(abs(fallen - 0.5 * 9.81 * t * t) < 9.81 * dt * t)        // within the O(dt) Euler gap
        #expect(abs(fallen - 9.81 * dt * dt * n * (n + 1) / 2) < 1e-3)   // the integrator exactly
        #expect(abs(Double(robot.velocity(0).y) + 9.81 * t) < 1e-3)
    }

    @Test func jointTorquesTurnTheChildAndStayWithinLimits() throws {
        let robot = Robot(morphology: try Morphology.parse(pendulum, file: "pendulum.yaml"))
        let action: [Float] = [1]
        for _ in 0..<40 { _ = action.withUnsafeBufferPointer { robot.step($0.baseAddress!) } }
        #expect(robot.jointAngle(0) > 0.9)
        #expect(robot.jointAngle(0) < 1 + 0.02)
    }
}

@Suite struct RobotFileTests {
    static let envs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("envs/robots").path

    @Test func halfCheetahWeighsFourteenKilogramsLikeMuJoCos() throws {
        let m = try Morphology.load(file: Self.envs + "/half-cheetah.yaml")
        #expect(m.jointCount == 6 && m.feet.count == 2)
        let robot = Robot(morphology: m)
        let total = (0..<m.bodies.count).reduce(0) { $0 + robot.mass($1) }
        #expect(abs(total - 14) < 0.01)
        #expect(m.bodies.compactMap(\.joint).map(\.gear) == [120, 90, 60, 120, 60, 30])
    }

    @Test func quadrupedHasFourTwoSegmentLegs() throws {
        let m = try Morphology.load(file: Self.envs + "/quadruped.yaml")
        #expect(m.jointCount == 8 && m.feet.count == 4)
        #expect(m.bodies.filter { $0.parent == 0 }.count == 4)
    }

    @Test func jsonFilesParseToo() throws {
        let json = """
        {"name": "stick", "ground": {"friction": 0.5}, "initialPose": {"position": [0, 1]},
         "defaults": {"radius": 0.05, "density": 500, "friction": 0.5},
         "bodies": [{"name": "torso", "shapes": [{"capsule": {"from": [-0.5, 0], "to": [0.5, 0]}}]}]}
        """
        let m = try Morphology.parse(json, file: "stick.json")
        #expect(m.bodies.count == 1 && m.bodies[0].shapes[0].density == 500)
    }
}
