import SeededRandom

/// One task of a family: a value set on an env before `reset` (Finn et al. 2017, §5.3).
public enum Task: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Navigation: reach this point.
    case goalPosition(x: Double, y: Double)
    /// Locomotion: run forward at this speed (m/s).
    case goalVelocity(Double)
    /// Locomotion: run as fast as possible in this direction, +1 forward or −1 backward.
    case direction(Double)
    /// Locomotion: go to this x position (m) and stay.
    case goalX(Double)

    public var kind: TaskKind {
        switch self {
        case .goalPosition: .goalPosition
        case .goalVelocity: .goalVelocity
        case .direction: .direction
        case .goalX: .goalX
        }
    }

    /// The task's parameters as oracle envs append them to observations.
    public var parameters: [Float] {
        switch self {
        case let .goalPosition(x, y): [Float(x), Float(y)]
        case let .goalVelocity(v): [Float(v)]
        case let .direction(d): [Float(d)]
        case let .goalX(x): [Float(x)]
        }
    }

    public var description: String {
        switch self {
        case let .goalPosition(x, y): "goal (\(fmt(x)), \(fmt(y)))"
        case let .goalVelocity(v): "goal velocity \(fmt(v)) m/s"
        case let .direction(d): d > 0 ? "direction forward" : "direction backward"
        case let .goalX(x): "goal x \(fmt(x)) m"
        }
    }

    /// A task of `kind` from a single number (CLI `--task 1.5`; navigation takes "x,y").
    public init(kind: TaskKind, parsing text: String) throws {
        let numbers = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        let wanted = kind == .goalPosition ? 2 : 1
        guard numbers.count == wanted, numbers.allSatisfy({ $0 != nil && abs($0!) <= 1000 }) else {
            throw EnvError.badTask("'\(text)' is not a task of kind \(kind.rawValue): expected \(wanted == 2 ? "x,y" : "one number"), each within ±1000")
        }
        let v = numbers.map { $0! }
        switch kind {
        case .goalPosition: self = .goalPosition(x: v[0], y: v[1])
        case .goalVelocity: self = .goalVelocity(v[0])
        case .direction:
            guard v[0] == 1 || v[0] == -1 else { throw EnvError.badTask("a direction is +1 or -1, got \(text)") }
            self = .direction(v[0])
        case .goalX: self = .goalX(v[0])
        }
    }
}

public enum TaskKind: String, Sendable, Hashable, Codable, CaseIterable {
    case goalPosition, goalVelocity, direction, goalX
}

/// How a family's tasks are drawn; `sample` uses only the generator passed in.
public enum TaskDistribution: Sendable, Hashable, Codable {
    /// Goal uniform in the square [low, high]² (navigation: [−0.5, 0.5]², paper §5.3).
    case uniformGoalPosition(low: Double, high: Double)
    /// Goal velocity uniform in [low, high] (half-cheetah: [0, 2], paper §5.3).
    case uniformVelocity(low: Double, high: Double)
    /// Direction +1 or −1 with probability ½ each (paper §5.3).
    case direction
    /// Goal x uniform in [low, high].
    case uniformGoalX(low: Double, high: Double)

    public var kind: TaskKind {
        switch self {
        case .uniformGoalPosition: .goalPosition
        case .uniformVelocity: .goalVelocity
        case .direction: .direction
        case .uniformGoalX: .goalX
        }
    }

    public func sample(using rng: inout some RandomNumberGenerator) -> Task {
        switch self {
        case let .uniformGoalPosition(lo, hi): .goalPosition(x: rng.uniform(lo, hi), y: rng.uniform(lo, hi))
        case let .uniformVelocity(lo, hi): .goalVelocity(rng.uniform(lo, hi))
        case .direction: .direction(rng.integer(below: 2) == 0 ? -1 : 1)
        case let .uniformGoalX(lo, hi): .goalX(rng.uniform(lo, hi))
        }
    }

    /// `count` independent tasks.
    public func sample(_ count: Int, using rng: inout some RandomNumberGenerator) -> [Task] {
        (0..<count).map { _ in sample(using: &rng) }
    }
}

/// A number with `digits` decimals, for labels and status lines.
func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

import Foundation
