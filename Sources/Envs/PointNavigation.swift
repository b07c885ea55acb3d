import Physics

/// 2-D point navigation (Finn et al. 2017, §5.3; pytorch-maml-rl `navigation.py`): a point moves
/// in the plane by the displacement it chooses, towards a goal it cannot see (unless oracle).
/// Kinematic: no physics engine.
///
/// | action | meaning | range |
/// |---|---|---|
/// | 0 | displacement along x | [−0.1, 0.1] (clipped) |
/// | 1 | displacement along y | [−0.1, 0.1] (clipped) |
///
/// | observation | meaning |
/// |---|---|
/// | 0, 1 | position (x, y); starts at the origin |
/// | 2, 3 (oracle) | goal (x, y) |
///
/// Reward: r = −‖position − goal‖₂ after the move. The episode terminates when the point is within
/// 0.01 of the goal on both axes; truncation at 100 steps. Goals ~ U[−0.5, 0.5]².
public final class PointNavigation: Env {
    public let name: String
    public let taskKind = TaskKind.goalPosition
    public let oracle: Bool
    public private(set) var task: Task
    public let horizon: Int
    public private(set) var elapsedSteps = 0
    public let actionSpace = Space(count: 2, low: -0.1, high: 0.1)
    public let observationSpace: Space
    /// Current position (Double: a sum of 100 Float steps would drift from the reward's arithmetic).
    public private(set) var position = Vec2(0, 0)
    /// Positions visited this episode, for rendering.
    public private(set) var trail: [Vec2] = []
    private var action: [Float] = [0, 0]
    private var episodeOver = false
    private var lastInfo = Info()

    /// Half-width of the arena the observation space allows (100 steps of 0.1 reach at most 10).
    static let bound: Float = 10

    public init(task: Task = .goalPosition(x: 0.5, y: 0.5), oracle: Bool = false, config: EnvConfig = EnvConfig()) throws {
        guard case .goalPosition = task else { throw EnvError.wrongTask(env: "navigation-2d", expected: [.goalPosition], got: task) }
        self.task = task
        self.oracle = oracle
        name = EnvRegistry.name(of: "navigation-2d", oracle: oracle)
        horizon = config.horizon ?? 100
        observationSpace = Space(count: oracle ? 4 : 2, low: -Self.bound, high: Self.bound)
        trail.reserveCapacity(horizon + 1)
    }

    public var goal: Vec2 {
        guard case let .goalPosition(x, y) = task else { return Vec2(0, 0) }
        return Vec2(x, y)
    }

    public func setTask(_ task: Task) throws {
        guard task.kind == .goalPosition else { throw EnvError.wrongTask(env: name, expected: [.goalPosition], got: task) }
        self.task = task
    }

    /// The start is always the origin, so the seed has nothing to randomise.
    public func reset(seed: UInt64?) -> (observation: [Float], info: Info) {
        position = Vec2(0, 0)
        elapsedSteps = 0
        episodeOver = false
        trail.removeAll(keepingCapacity: true)
        trail.append(position)
        lastInfo = reward()
        return (observation(), lastInfo)
    }

    public func step(_ raw: [Float]) throws -> StepResult {
        if episodeOver { throw EnvError.stepAfterEpisodeEnd(env: name) }
        try clipAction(raw, into: &action, space: actionSpace)
        position = position + Vec2(Double(action[0]), Double(action[1]))
        elapsedSteps += 1
        trail.append(position)
        let info = reward()
        lastInfo = info
        let d = position - goal
        let terminated = abs(d.x) < 0.01 && abs(d.y) < 0.01
        let truncated = !terminated && elapsedSteps >= horizon
        episodeOver = terminated || truncated
        return (observation(), info.reward, terminated, truncated, info)
    }

    /// r = −‖position − goal‖₂.
    func reward() -> Info {
        var info = Info()
        info.distance = (position - goal).length
        info.taskReward = -info.distance
        info.x = position.x
        return info
    }

    func observation() -> [Float] {
        var obs: [Float] = [Float(position.x), Float(position.y)]
        if oracle { obs.append(contentsOf: task.parameters) }
        return obs
    }

    public func scene() -> Scene {
        let dot = Scene.Item(.circle(center: position, radius: 0.025), color: 0xC8_28_28)  // RGB.agent
        // The arena of goals, [−0.5, 0.5]², with a margin; wider when the point or goal lies outside.
        let extent = [position.x, position.y, goal.x, goal.y].map(abs).max()!
        return Scene(view: .topDown, items: [dot], camera: Vec2(0, 0), viewWidth: max(1.4, 2 * extent + 0.3), goal: .point(goal),
                     trail: trail, time: Double(elapsedSteps),
                     status: [("step", "\(elapsedSteps)"), ("pos", "(\(fmt(position.x)), \(fmt(position.y)))"),
                              ("goal", "(\(fmt(goal.x)), \(fmt(goal.y)))"), ("r", fmt(lastInfo.reward))])
    }
}
