/// A reinforcement-learning environment with Gymnasium's interface (`gymnasium/core.py`).
///
/// Observations and actions are `[Float]`. Set the task with `setTask` before `reset` (rewards
/// and oracle observations use the current task, so changing it mid-episode changes them too). `step` clips actions into `actionSpace` and throws on a wrong length
/// or a non-finite component. Episodes are truncated at `horizon` steps. Drawing (`render`) lives
/// in the Render module and reads only `scene()`.
public protocol Env: AnyObject {
    /// Registry name, e.g. `half-cheetah-vel-oracle`.
    var name: String { get }
    var observationSpace: Space { get }
    var actionSpace: Space { get }
    /// Steps per episode before truncation.
    var horizon: Int { get }
    /// Steps taken since the last reset.
    var elapsedSteps: Int { get }
    /// The task the current (or next) episode runs.
    var task: Task { get }
    /// Which tasks this env accepts.
    var taskKind: TaskKind { get }

    /// Sets the task (call before `reset`); throws if it is of another kind.
    func setTask(_ task: Task) throws
    /// Starts an episode; with a seed, re-seeds the env's generator first (reset noise).
    func reset(seed: UInt64?) -> (observation: [Float], info: Info)
    /// Advances one step.
    func step(_ action: [Float]) throws -> StepResult
    /// What a renderer draws, in world coordinates.
    func scene() -> Scene
}

/// Gymnasium's 5-tuple.
public typealias StepResult = (observation: [Float], reward: Double, terminated: Bool, truncated: Bool, info: Info)

extension Env {
    public func reset() -> (observation: [Float], info: Info) { reset(seed: nil) }
}

/// The reward's terms and a few diagnostics. Every env's reward is
/// `reward = taskReward − controlCost + survivalBonus`; fields an env does not use stay 0.
public struct Info: Sendable, Hashable {
    /// The task's term: −|vx − v_goal| (quadruped: 1 − |vx − v_goal|), d·vx, −|x − x_goal| or −‖p − goal‖.
    public var taskReward: Double = 0
    public var controlCost: Double = 0
    public var survivalBonus: Double = 0
    /// The torso's forward velocity averaged over the frame-skip (locomotion).
    public var forwardVelocity: Double = 0
    /// The torso's (or point's) x position.
    public var x: Double = 0
    /// Distance to the goal (navigation and goal-x tasks).
    public var distance: Double = 0

    public init() {}

    public var reward: Double { taskReward - controlCost + survivalBonus }
}

public enum EnvError: Error, CustomStringConvertible, Equatable {
    case nonFiniteAction(index: Int, value: Float)
    case wrongActionCount(expected: Int, got: Int)
    case wrongTask(env: String, expected: [TaskKind], got: Task)
    case stepAfterEpisodeEnd(env: String)
    case unknownEnv(String)
    case badTask(String)
    case robotNotFound(name: String, searched: [String])

    public var description: String {
        switch self {
        case let .nonFiniteAction(i, v): "action component \(i) is \(v); actions must be finite"
        case let .wrongActionCount(e, g): "expected an action of \(e) components, got \(g)"
        case let .wrongTask(env, e, g): "\(env) takes tasks of kind \(e.map(\.rawValue).joined(separator: " or ")), got \(g)"
        case let .stepAfterEpisodeEnd(env): "\(env): step called after the episode ended; call reset first"
        case let .unknownEnv(n): "unknown env '\(n)'; known: \(EnvRegistry.names.joined(separator: ", "))"
        case let .badTask(m): m
        case let .robotNotFound(name, searched): "robot file \(name).yaml not found in \(searched.joined(separator: ", "))"
        }
    }
}

/// Checks an action and clips it into `space`, writing into `out` (no allocation).
@inline(__always)
func clipAction(_ action: [Float], into out: inout [Float], space: Space) throws {
    guard action.count == space.count else {
        throw EnvError.wrongActionCount(expected: space.count, got: action.count)
    }
    for i in 0..<action.count {
        let a = action[i]
        guard a.isFinite else { throw EnvError.nonFiniteAction(index: i, value: a) }
        out[i] = min(max(a, space.low[i]), space.high[i])
    }
}
