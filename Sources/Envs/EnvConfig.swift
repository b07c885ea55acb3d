import Physics

/// Settings shared by all envs; the defaults are Gymnasium's MuJoCo locomotion settings (0.01 s
/// physics step × frame-skip 5, reset noise 0.1) and the paper's horizons (Finn et al. 2017, §5.3).
public struct EnvConfig: Sendable, Hashable, Codable {
    /// Physics step, frame-skip and solver iterations (0.01 s, 5, 8 velocity, 3 position).
    public var physics = PhysicsSettings()
    /// Steps per episode; nil keeps the env's own (navigation 100, locomotion 200).
    public var horizon: Int? = nil
    /// Reset noise: joint angles uniform in ±resetNoise rad, velocities resetNoise·N(0, 1)
    /// (Gymnasium's HalfCheetah `reset_noise_scale` = 0.1).
    public var resetNoise: Double = 0.1
    /// Where robot files live; nil searches `$ADAPT_ENVS_DIR`, `./envs`, then the source tree's `envs/`
    /// (each folder's `robots/` first, then the folder itself).
    public var envsDirectory: String? = nil
    /// The policy acts in [−1, 1]ⁿ and the env maps that onto its own action box (`UnitActions`,
    /// rllab's `normalize`, as the paper's code did). Where the box is already [−1, 1]ⁿ it only
    /// clips (the affine map is the identity up to the last bit of a Float).
    public var unitActions = false
    /// Envs with a health check (the quadruped) end the episode when the robot becomes unhealthy;
    /// when false it runs to the horizon and only the survival bonus stops while it is down
    /// (Gymnasium's `terminate_when_unhealthy`, for Ant, Hopper and Walker2d).
    public var terminateWhenUnhealthy = true

    public init() {}
}
