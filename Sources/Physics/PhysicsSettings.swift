/// Physics settings; the defaults are those of Gymnasium's MuJoCo locomotion envs (a 0.01 s step,
/// frame-skip 5) with Box2D's recommended solver iterations.
public struct PhysicsSettings: Sendable, Hashable, Codable {
    /// Gravity along y, m/s².
    public var gravity: Double = -9.81
    /// One physics step, seconds.
    public var timeStep: Double = 0.01
    /// Physics steps per env step.
    public var frameSkip: Int = 5
    /// Box2D's velocity-constraint iterations per step.
    public var velocityIterations: Int = 8
    /// Box2D's position-correction iterations per step.
    public var positionIterations: Int = 3
    public init() {}
}
