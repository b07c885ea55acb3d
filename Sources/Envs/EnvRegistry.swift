/// An env family by name: how to build it and how its tasks are drawn.
public struct EnvSpec: Sendable {
    public let name: String
    /// The family's task distribution (Finn et al. 2017, §5.3).
    public let tasks: TaskDistribution
    /// The task a fresh env runs until `setTask`.
    public let defaultTask: Task
    public let oracle: Bool
    let build: @Sendable (Task, Bool, EnvConfig) throws -> any Env

    public func make(task: Task? = nil, config: EnvConfig = EnvConfig()) throws -> any Env {
        let env = try build(task ?? defaultTask, oracle, config)
        return config.unitActions ? UnitActions(env) : env
    }
}

/// Every env by name. A new family is one entry here plus its env file (and robot file).
public enum EnvRegistry {
    public static let specs: [EnvSpec] = families.flatMap { family in
        [false, true].map { oracle in
            EnvSpec(name: name(of: family.name, oracle: oracle), tasks: family.tasks,
                    defaultTask: family.defaultTask, oracle: oracle, build: family.build)
        }
    }

    private static let families: [(name: String, tasks: TaskDistribution, defaultTask: Task,
                                   build: @Sendable (Task, Bool, EnvConfig) throws -> any Env)] = [
        ("navigation-2d", .uniformGoalPosition(low: -0.5, high: 0.5), .goalPosition(x: 0.25, y: 0.25),
         { try PointNavigation(task: $0, oracle: $1, config: $2) }),
        ("half-cheetah-vel", .uniformVelocity(low: 0, high: 2), .goalVelocity(1),
         { try HalfCheetah(task: $0, oracle: $1, config: $2) }),
        ("half-cheetah-dir", .direction, .direction(1),
         { try HalfCheetah(task: $0, oracle: $1, config: $2) }),
        ("quadruped-vel", Quadruped.velocityTasks, .goalVelocity(1),
         { try Quadruped(task: $0, oracle: $1, config: $2) }),
        ("quadruped-dir", .direction, .direction(1),
         { try Quadruped(task: $0, oracle: $1, config: $2) }),
        ("quadruped-goal", Quadruped.goalTasks, .goalX(2),
         { try Quadruped(task: $0, oracle: $1, config: $2) }),
    ]

    public static var names: [String] { specs.map(\.name) }

    /// The name of a family's env, or of its oracle variant (whose observation also holds the task).
    public static func name(of family: String, oracle: Bool) -> String { oracle ? family + "-oracle" : family }

    public static func spec(_ name: String) throws -> EnvSpec {
        guard let spec = specs.first(where: { $0.name == name }) else { throw EnvError.unknownEnv(name) }
        return spec
    }
}

/// The env registered as `name` (e.g. `half-cheetah-vel`, `navigation-2d-oracle`), running `task`
/// or the family's default task.
public func makeEnv(name: String, task: Task? = nil, config: EnvConfig = EnvConfig()) throws -> any Env {
    try EnvRegistry.spec(name).make(task: task, config: config)
}
