import Physics
import SeededRandom

/// The machinery every robot env shares: the robot built from its file, the seeded generator for
/// reset noise, the clipped-action buffer, and episode bookkeeping. Env files hold only their
/// observation, reward and task logic.
final class Locomotion {
    let robot: Robot
    let config: EnvConfig
    let horizon: Int
    var rng = Xoshiro256(seed: 0)
    /// The latest clipped action (reused every step: no allocation).
    var action: [Float]
    var elapsedSteps = 0
    var episodeOver = false
    /// Root x-velocity averaged over the latest step's physics steps.
    var forwardVelocity: Float = 0

    init(robot name: String, config: EnvConfig, defaultHorizon: Int) throws {
        let morphology = try RobotFiles.morphology(name, directory: config.envsDirectory)
        robot = Robot(morphology: morphology, settings: config.physics)
        self.config = config
        horizon = config.horizon ?? defaultHorizon
        action = Array(repeating: 0, count: morphology.jointCount)
    }

    var actionSpace: Space { Space(count: robot.jointCount, low: -1, high: 1) }
    /// Seconds per env step.
    var dt: Double { config.physics.timeStep * Double(config.physics.frameSkip) }

    /// Rebuilds the world in the initial pose plus noise: joint angles uniform in ±noise,
    /// root and joint velocities noise·N(0, 1) (Gymnasium's HalfCheetah-v5 reset).
    func reset(seed: UInt64?) {
        if let seed { rng = Xoshiro256(seed: seed) }
        let n = robot.jointCount, s = config.resetNoise
        let offsets = (0..<n).map { _ in rng.uniform(-s, s) }
        let root = Vec2(s * rng.normal(), s * rng.normal())
        let spin = s * rng.normal()
        let speeds = (0..<n).map { _ in s * rng.normal() }
        robot.reset(jointOffsets: offsets, rootVelocity: root, rootAngularVelocity: spin, jointSpeeds: speeds)
        elapsedSteps = 0
        episodeOver = false
        forwardVelocity = 0
        for i in action.indices { action[i] = 0 }
    }

    /// Validates, clips and applies `action`, stepping through the frame-skip.
    func advance(_ raw: [Float], space: Space, env: String) throws {
        if episodeOver { throw EnvError.stepAfterEpisodeEnd(env: env) }
        try clipAction(raw, into: &action, space: space)
        forwardVelocity = action.withUnsafeBufferPointer { robot.step($0.baseAddress!) }
        elapsedSteps += 1
    }

    /// Σ a², of the clipped action.
    var actionSquaredNorm: Double {
        var s: Float = 0
        for a in action { s += a * a }
        return Double(s)
    }

    /// A side-view scene following the root body.
    func scene(goal: Scene.Goal?, status: [(String, String)]) -> Scene {
        let root = robot.position(0)
        return Scene(view: .side, items: robot.sceneItems(), camera: Vec2(root.x, 0.6), viewWidth: 4.5,
                     goal: goal, time: Double(elapsedSteps) * dt, status: status)
    }
}
