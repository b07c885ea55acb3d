/// A robot described as data: bodies with shapes, revolute joints to their parents, the ground and
/// the initial pose. Loaded from `envs/robots/<robot>.yaml` (or `.json`) by `Morphology.load(file:)`;
/// `Robot` builds it into a Box2D world, so a new robot needs no new Swift code.
///
/// Conventions: x forward, y up, metres, kilograms, radians counter-clockwise. Each body's frame
/// has its origin at the joint to its parent and, in the initial pose, the parent's orientation;
/// shapes are given in that frame.
public struct Morphology: Sendable {
    /// The robot's name (for messages and scenes).
    public var name: String
    /// The file it came from (for messages).
    public var file: String
    public var ground: GroundSpec
    /// Pose of the root body's frame at reset.
    public var initialPose: Pose
    /// Bodies, root first; every other body names a parent listed before it and has a joint.
    public var bodies: [BodySpec]

    /// Joints in action order: one per non-root body, in file order.
    public var jointBodies: [Int] { bodies.indices.filter { bodies[$0].parent != nil } }
    public var jointCount: Int { bodies.count - 1 }
    /// Indices of bodies flagged `foot: true`, whose ground contact observations report.
    public var feet: [Int] { bodies.indices.filter { bodies[$0].isFoot } }
    public func bodyIndex(named name: String) -> Int? { bodies.firstIndex { $0.name == name } }
}

public struct GroundSpec: Sendable {
    public var friction: Double
    /// The ground spans x ∈ [−halfWidth, halfWidth]; robots beyond it have left the world.
    public var halfWidth: Double
}

public struct Pose: Sendable {
    public var position: Vec2
    public var angle: Double
}

public struct BodySpec: Sendable {
    public var name: String
    /// Index of the parent body; nil for the root.
    public var parent: Int?
    /// Position of this body's frame origin (= its joint) in the parent's frame.
    public var anchor: Vec2
    /// The joint to the parent (nil for the root).
    public var joint: JointSpec?
    public var shapes: [ShapeSpec]
    /// Report this body's ground contact in observations.
    public var isFoot: Bool
    /// Box2D group index: bodies sharing a negative group never collide with each other.
    public var collisionGroup: Int16
    /// Display colour as 0xRRGGBB.
    public var color: UInt32
}

/// A hinge after MuJoCo's: limits, a motor of gear `gear` (τ = gear·a for a ∈ [−1, 1]) and a
/// spring/damper τ = −stiffness·(q − springRef) − damping·q̇ applied every physics step.
public struct JointSpec: Sendable {
    public var lower: Double
    public var upper: Double
    public var gear: Double
    public var stiffness: Double
    public var damping: Double
    public var springRef: Double
    /// MuJoCo's armature (rotor inertia, kg·m²), approximated by adding it to the child body's
    /// rotational inertia. It keeps light feet stable under stiff springs at dt = 0.01 s.
    public var armature: Double
    /// Joint angle in the initial pose.
    public var initialAngle: Double
}

/// A collision and display shape in its body's frame. Density is per volume (kg/m³) of the
/// 3-D solid the shape stands for (MuJoCo's convention): a capsule or sphere of the given radius,
/// a box of the given depth. The loader converts it to Box2D's areal density so masses match.
public struct ShapeSpec: Sendable {
    public enum Geometry: Sendable {
        /// Segment from `a` to `b` thickened by `radius`.
        case capsule(a: Vec2, b: Vec2, radius: Double)
        case box(center: Vec2, halfSize: Vec2, angle: Double, depth: Double)
        case circle(center: Vec2, radius: Double)
    }
    public var geometry: Geometry
    public var density: Double
    public var friction: Double

    /// Volume of the 3-D solid (m³).
    public var volume: Double {
        switch geometry {
        case let .capsule(a, b, r): return Double.pi * r * r * (b - a).length + 4.0 / 3.0 * Double.pi * r * r * r
        case let .box(_, h, _, depth): return 4 * h.x * h.y * depth
        case let .circle(_, r): return 4.0 / 3.0 * Double.pi * r * r * r
        }
    }
    public var mass: Double { density * volume }
}
