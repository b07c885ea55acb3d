import Physics

/// Planar quadruped on Box2D (`envs/robots/quadruped.yaml`): our stand-in for the 3-D ant of Finn et al.
/// 2017, §5.3. A box torso with four hip–knee legs; the front pair and the back pair each share a
/// plane, every leg has its own motors.
///
/// | action | joint | gear (N·m) |
/// |---|---|---|
/// | 0, 1 | front-left hip, knee   | 80, 60 |
/// | 2, 3 | front-right hip, knee  | 80, 60 |
/// | 4, 5 | back-left hip, knee    | 80, 60 |
/// | 6, 7 | back-right hip, knee   | 80, 60 |
/// Actions lie in [−1, 1] (clipped); joint i receives τ = gear·a (counter-clockwise, the child).
///
/// | observation | meaning | unit |
/// |---|---|---|
/// | 0 | torso height | m |
/// | 1 | torso angle (counter-clockwise) | rad |
/// | 2 | torso forward velocity vx | m/s |
/// | 3 | torso vertical velocity vz | m/s |
/// | 4 | torso angular velocity | rad/s |
/// | 5–12 | joint angles, in action order | rad |
/// | 13–20 | joint speeds, in action order | rad/s |
/// | 21–24 | foot contact flags (front-left, front-right, back-left, back-right), 0 or 1 | — |
/// | 25 (goal task only) | torso x | m |
/// | last (oracle) | goal velocity, direction or goal x | m/s, ±1, m |
/// The goal task adds the torso's x: without it the goal position would be unobservable.
///
/// Reward: control cost 0.005·‖a‖², survival bonus 0.05 while healthy; velocity task
/// r = 1 − |vx − v_goal| − cost + bonus (the 1 as the paper's ant, "make it happy, not suicidal":
/// without it every step of a goal above about 0.05 m/s costs, and falling early pays);
/// direction task r = d·vx − cost + bonus; goal task
/// r = −|x − x_goal| − cost + bonus. vx is averaged over the frame-skip. Terminates when the torso
/// is upside down (cos angle < 0) or its height leaves [0.2, 1.2] m, unless
/// `EnvConfig.terminateWhenUnhealthy` is false (then the bonus stops while it is down); truncation
/// at 200 steps.
public final class Quadruped: Env {
    public let name: String
    public let taskKind: TaskKind
    public let oracle: Bool
    public private(set) var task: Task
    public let actionSpace: Space
    public let observationSpace: Space
    let core: Locomotion
    private let feet: [Int]
    /// `EnvConfig.terminateWhenUnhealthy`.
    public let terminatesWhenUnhealthy: Bool

    public static let controlWeight = 0.005
    public static let survivalBonus = 0.05
    /// Added to the velocity task's −|vx − v_goal| (cbfinn/maml_rl's ant velocity env).
    public static let velocityOffset = 1.0
    /// Torso heights (m) outside which the robot has fallen.
    public static let healthyHeight = 0.2...1.2
    /// Goal velocities U[0, 1]: the paper's ant draws from U[0, 3], but this smaller planar robot's
    /// gaits stay well under 1 m/s (quadruped-dir policies: 0.1–0.3 m/s), and with
    /// r = 1 − |vx − v_goal| any goal more than 1 m/s beyond its reach makes every step cost, so
    /// falling early would pay again. Over [0, 1] living always pays, as for the ant.
    public static let velocityTasks = TaskDistribution.uniformVelocity(low: 0, high: 1)
    /// Goal positions, reachable in 10 s.
    public static let goalTasks = TaskDistribution.uniformGoalX(low: -3, high: 3)

    public init(task: Task, oracle: Bool = false, config: EnvConfig = EnvConfig()) throws {
        let suffix: String
        switch task.kind {
        case .goalVelocity: suffix = "vel"
        case .direction: suffix = "dir"
        case .goalX: suffix = "goal"
        case .goalPosition: throw EnvError.wrongTask(env: "quadruped", expected: [.goalVelocity, .direction, .goalX], got: task)
        }
        self.task = task
        taskKind = task.kind
        self.oracle = oracle
        name = EnvRegistry.name(of: "quadruped-" + suffix, oracle: oracle)
        core = try Locomotion(robot: "quadruped", config: config, defaultHorizon: 200)
        terminatesWhenUnhealthy = config.terminateWhenUnhealthy
        feet = core.robot.morphology.feet
        actionSpace = core.actionSpace
        let count = 5 + 2 * core.robot.jointCount + feet.count + (task.kind == .goalX ? 1 : 0) + (oracle ? 1 : 0)
        observationSpace = Space(count: count, low: -.infinity, high: .infinity)
        core.reset(seed: 0)
    }

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
        let healthy = isHealthy
        let info = reward(healthy: healthy)
        let terminated = !healthy && terminatesWhenUnhealthy
        let truncated = !terminated && core.elapsedSteps >= core.horizon
        core.episodeOver = terminated || truncated
        return (observation(), info.reward, terminated, truncated, info)
    }

    /// Upright and at a plausible height.
    public var isHealthy: Bool {
        let r = core.robot
        return cos(Double(r.angle(0))) > 0 && Self.healthyHeight.contains(r.position(0).y)
    }

    /// The reward's terms for the latest step; `Info.reward` sums them.
    func reward(healthy: Bool) -> Info {
        var info = Info()
        let vx = Double(core.forwardVelocity)
        let x = core.robot.position(0).x
        info.forwardVelocity = vx
        info.x = x
        info.controlCost = Self.controlWeight * core.actionSquaredNorm
        info.survivalBonus = healthy ? Self.survivalBonus : 0
        switch task {
        case let .goalVelocity(goal): info.taskReward = Self.velocityOffset - abs(vx - goal)
        case let .direction(d): info.taskReward = d * vx
        case let .goalX(goal):
            info.distance = abs(x - goal)
            info.taskReward = -info.distance
        case .goalPosition: break
        }
        return info
    }

    func observation() -> [Float] {
        let r = core.robot
        var obs = [Float]()
        obs.reserveCapacity(observationSpace.count)
        let v = r.velocity(0)
        obs.append(Float(r.position(0).y))
        obs.append(r.angle(0))
        obs.append(v.x)
        obs.append(v.y)
        obs.append(r.angularVelocity(0))
        for j in 0..<r.jointCount { obs.append(r.jointAngle(j)) }
        for j in 0..<r.jointCount { obs.append(r.jointSpeed(j)) }
        for f in feet { obs.append(r.touchesGround(f) ? 1 : 0) }
        if taskKind == .goalX { obs.append(Float(r.position(0).x)) }
        if oracle { obs.append(contentsOf: task.parameters) }
        return obs
    }

    public func scene() -> Scene {
        var status = [("t", fmt(Double(core.elapsedSteps) * core.dt) + " s"),
                      ("v", fmt(Double(core.forwardVelocity)) + " m/s")]
        var goal: Scene.Goal?
        switch task {
        case let .goalVelocity(g): status.append(("goal", fmt(g) + " m/s"))
        case let .direction(d): status.append(("dir", d > 0 ? "+1" : "-1"))
        case let .goalX(g):
            status.append(("goal x", fmt(g) + " m"))
            goal = .x(g)
        case .goalPosition: break
        }
        status.append(("r", fmt(reward(healthy: isHealthy).reward)))
        return core.scene(goal: goal, status: status)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
