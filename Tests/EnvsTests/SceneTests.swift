import Testing
@testable import Envs
import Physics

@Suite struct SceneTests {
    @Test func sideCameraFollowsTheTorso() throws {
        let env = try Quadruped(task: .direction(1))
        _ = env.reset(seed: 0)
        for t in 0..<60 {
            let phase = Double(t) * 2 * .pi / 8
            _ = try env.step((0..<8).map { j in
                let offset = (j / 2 == 0 || j / 2 == 3) ? 0 : Double.pi
                return Float(j % 2 == 0 ? sin(phase + offset) : 0.5 * sin(phase + offset + .pi))
            })
        }
        let scene = env.scene()
        #expect(scene.camera.x == env.robot.position(0).x)
        #expect(env.robot.position(0).x > 1, "the trot carried it forward")
        #expect(scene.items.count == 9, "a torso box and eight leg capsules")
        #expect(scene.status.contains { $0.0 == "v" })
    }

    @Test func tasksParseFromTheCommandLine() throws {
        #expect(try Task(kind: .goalVelocity, parsing: "1.5") == .goalVelocity(1.5))
        #expect(try Task(kind: .goalPosition, parsing: "0.3, -0.2") == .goalPosition(x: 0.3, y: -0.2))
        #expect(try Task(kind: .direction, parsing: "-1") == .direction(-1))
        #expect(throws: EnvError.self) { try Task(kind: .direction, parsing: "0.5") }
        #expect(throws: EnvError.self) { try Task(kind: .goalX, parsing: "far") }
    }

    @Test func spaceClipsAndSamplesInside() {
        let space = Space(low: [-1, 0], high: [1, 2])
        #expect(space.clip([5, -3]) == [1, 0])
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<100 { #expect(space.contains(space.sample(using: &rng))) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
