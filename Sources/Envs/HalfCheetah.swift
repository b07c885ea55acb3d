import Physics

/// Planar half-cheetah on Box2D, after MuJoCo's `half_cheetah.xml` (Gymnasium HalfCheetah-v5),
/// geometry from `envs/robots/half-cheetah.yaml`; tasks of Finn et al. 2017, §5.3.
///
/// | action | joint | gear (N·m) |
/// |---|---|---|
/// | 0 | bthigh (back hip)   | 120 |
/// | 1 | bshin (back knee)   | 90 |
/// | 2 | bfoot (back ankle)  | 60 |
/// | 3 | fthigh (front hip)  | 120 |
/// | 4 | fshin (front knee)  | 60 |
/// | 5 | ffoot (front ankle) | 30 |
/// Actions lie in [−1, 1] (clipped); joint i receives τ = gear·a (counter-clockwise, the child).
///
/// | observation | meaning | unit |
/// |---|---|---|
/// | 0 | torso height (root z) | m |
/// | 1 | torso angle (counter-clockwise) | rad |
/// | 2–7 | joint angles, in action order | rad |
/// | 8 | torso forward velocity vx | m/s |
/// | 9 | torso vertical velocity vz | m/s |
/// | 10 | torso angular velocity | rad/s |
/// | 11–16 | joint speeds, in action order | rad/s |
/// | 17 (oracle) | goal velocity or direction | m/s or ±1 |
/// The root's x is excluded, as in Gymnasium. Angles are Box2D's (counter-clockwise), i.e. minus
/// MuJoCo's.
///
/// Reward (MAML-RL convention, pytorch-maml-rl `half_cheetah.py`): control cost 0.05·‖a‖²;
/// velocity task r = −|vx − v_goal| − cost; direction task r = d·vx − cost, with vx the torso's
/// forward velocity averaged over the frame-skip. No termination; truncation at 200 steps.
public final class HalfCheetah: Env {
    public let name: String
    public let taskKind: TaskKind
    public let oracle: Bool
    public private(set) var task: Task
    let core: Locomotion

    /// The control cost's weight (pytorch-maml-rl: 0.5 · 1e-1).
    public static let controlWeight = 0.05

    public init(task: Task, oracle: Bool = false, config: EnvConfig = EnvConfig()) throws {
        guard task.kind == .goalVelocity || task.kind == .direction else {
            throw EnvError.wrongTask(env: "half-cheetah", expected: [.goalVelocity, .direction], got: task)
        }
        self.task = task
        taskKind = task.kind
        self.oracle = oracle
        name = EnvRegistry.name(of: "half-cheetah-" + (task.kind == .goalVelocity ? "vel" : "dir"), oracle: oracle)
        core = try Locomotion(robot: "half-cheetah", config: config, defaultHorizon: 200)
        actionSpace = core.actionSpace
        observationSpace = Space(count: 5 + 2 * core.robot.jointCount + (oracle ? 1 : 0), low: -.infinity, high: .infinity)
        core.reset(seed: 0)
    }

    public let actionSpace: Space
    public let observationSpace: Space
    public var horizon: Int { core.horizon }
    public var elapsedSteps: Int { core.elapsedSteps }
    public var robot: Robot { core.robot }

    public func setTask(_ task: Task) throws {
        guard task.kind == taskKind else { throw EnvError.wrongTask(env: name, expected: [taskKind], got: task) }
        self.task = task
    }

    public func reset(seed: UInt64?) -> (observation: [Float], info: Info) {
        core.reset(seed: seed)
        var info = Info()
        info.x = core.robot.position(0).x
        return (observation(), info)
    }

    public func step(_ action: [Float]) throws -> StepResult {
        try core.advance(action, space: actionSpace, env: name)
        let info = reward()
        let truncated = core.elapsedSteps >= core.horizon
        core.episodeOver = truncated
        return (observation(), info.reward, false, truncated, info)
    }

    /// The reward's terms for the latest step; `Info.reward` sums them.
    func reward() -> Info {
        var info = Info()
        let vx = Double(core.forwardVelocity)
        info.forwardVelocity = vx
        info.controlCost = Self.controlWeight * core.actionSquaredNorm
        info.x = core.robot.position(0).x
        switch task {
        case let .goalVelocity(goal): info.taskReward = -abs(vx - goal)
        case let .direction(d): info.taskReward = d * vx
        default: break
        }
        return info
    }

    func observation() -> [Float] {
        let r = core.robot
        var obs = [Float]()
        obs.reserveCapacity(observationSpace.count)
        obs.append(Float(r.position(0).y))
        obs.append(r.angle(0))
        for j in 0..<r.jointCount { obs.append(r.jointAngle(j)) }
        let v = r.velocity(0)
        obs.append(v.x)
        obs.append(v.y)
        obs.append(r.angularVelocity(0))
        for j in 0..<r.jointCount { obs.append(r.jointSpeed(j)) }
        if oracle { obs.append(contentsOf: task.parameters) }
        return obs
    }

    public func scene() -> Scene {
        var status = [("t", fmt(Double(core.elapsedSteps) * core.dt) + " s"),
                      ("v", fmt(Double(core.forwardVelocity)) + " m/s")]
        switch task {
        case let .goalVelocity(g): status.append(("goal", fmt(g) + " m/s"))
        case let .direction(d): status.append(("dir", d > 0 ? "+1" : "-1"))
        default: break
        }
        status.append(("r", fmt(reward().reward)))
        return core.scene(goal: nil, status: status)
    }
}
