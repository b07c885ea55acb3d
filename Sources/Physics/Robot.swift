#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A morphology built into a Box2D world, with its state read into flat buffers after each step.
///
/// `reset` rebuilds the world from scratch (about 5 µs for a cheetah): simpler than restoring
/// Box2D's internal state and bit-identical by construction.
public final class Robot {
    public let morphology: Morphology
    public let settings: PhysicsSettings
    public private(set) var world: World
    private var bodies: [Body] = []
    /// `World.bodyStride` floats per body: x, y, angle, vx, vy, ω, ground contact.
    public private(set) var bodyState: [Float]
    /// Two floats per joint: angle, speed.
    public private(set) var jointState: [Float]
    /// Per shape: Box2D vertices (nil for circles) and areal density; computed once.
    private let fixtures: [[(vertices: [Vec2]?, arealDensity: Double)]]

    public init(morphology: Morphology, settings: PhysicsSettings = PhysicsSettings()) {
        self.morphology = morphology
        self.settings = settings
        bodyState = Array(repeating: 0, count: morphology.bodies.count * World.bodyStride)
        jointState = Array(repeating: 0, count: morphology.jointCount * 2)
        fixtures = morphology.bodies.map { $0.shapes.map(Robot.fixture) }
        world = World(settings: settings)
        reset()
    }

    public var jointCount: Int { morphology.jointCount }

    /// Rebuilds the world in the initial pose, offset by `jointOffsets` (radians, one per joint),
    /// with the root's origin moving at `rootVelocity`, turning at `rootAngularVelocity`, and the
    /// joints turning at `jointSpeeds`. Offsets are clamped to the joint ranges.
    public func reset(jointOffsets: [Double]? = nil, rootVelocity: Vec2 = Vec2(0, 0),
                      rootAngularVelocity: Double = 0, jointSpeeds: [Double]? = nil) {
        let specs = morphology.bodies
        world = World(settings: settings)
        world.addGround(halfWidth: morphology.ground.halfWidth, friction: morphology.ground.friction)
        // Forward kinematics: each frame's origin, angle, origin velocity and angular velocity.
        var origin = [Vec2](repeating: Vec2(0, 0), count: specs.count)
        var angle = [Double](repeating: 0, count: specs.count)
        var velocity = [Vec2](repeating: Vec2(0, 0), count: specs.count)
        var omega = [Double](repeating: 0, count: specs.count)
        var jointAngle = [Double](repeating: 0, count: specs.count)
        var j = 0
        for (i, spec) in specs.enumerated() {
            guard let p = spec.parent, let js = spec.joint else {
                origin[i] = morphology.initialPose.position
                angle[i] = morphology.initialPose.angle
                velocity[i] = rootVelocity
                omega[i] = rootAngularVelocity
                continue
            }
            let q = min(max(js.initialAngle + (jointOffsets?[j] ?? 0), js.lower), js.upper)
            jointAngle[i] = q
            let arm = spec.anchor.rotated(by: angle[p])
            origin[i] = origin[p] + arm
            angle[i] = angle[p] + q
            velocity[i] = velocity[p] + Vec2(-omega[p] * arm.y, omega[p] * arm.x)
            omega[i] = omega[p] + (jointSpeeds?[j] ?? 0)
            j += 1
        }
        bodies = specs.indices.map { world.addBody(at: origin[$0], angle: angle[$0]) }
        for (i, spec) in specs.enumerated() {
            for (shape, fixture) in zip(spec.shapes, fixtures[i]) {
                if let vertices = fixture.vertices {
                    world.addPolygon(to: bodies[i], vertices: vertices, density: fixture.arealDensity,
                                     friction: shape.friction, group: spec.collisionGroup)
                } else if case let .circle(center, radius) = shape.geometry {
                    world.addCircle(to: bodies[i], center: center, radius: radius, density: fixture.arealDensity,
                                    friction: shape.friction, group: spec.collisionGroup)
                }
            }
            if let js = spec.joint, js.armature > 0 { world.addInertia(js.armature, to: bodies[i]) }
        }
        for (i, spec) in specs.enumerated() {
            if let p = spec.parent, let js = spec.joint {
                _ = world.addRevolute(parent: bodies[p], child: bodies[i], anchor: origin[i],
                                      currentAngle: jointAngle[i], spec: js)
            }
            world.setVelocity(of: bodies[i], linear: velocity[i], angular: omega[i])
        }
        readState()
    }

    /// Applies `actions` (already clipped to [−1, 1], one per joint) through the frame-skip and
    /// refreshes the state; returns the root's x-velocity averaged over the physics steps.
    @inline(__always)
    public func step(_ actions: UnsafePointer<Float>) -> Float {
        let vx = world.step(actions: actions, frameSkip: settings.frameSkip, tracking: bodies[0])
        readState()
        return vx
    }

    @inline(__always)
    public func readState() {
        bodyState.withUnsafeMutableBufferPointer { b in
            jointState.withUnsafeMutableBufferPointer { j in
                world.readState(bodies: b.baseAddress!, joints: j.baseAddress!)
            }
        }
    }

    // MARK: - State accessors (after the latest step or reset)

    public func position(_ body: Int) -> Vec2 {
        Vec2(Double(bodyState[body * World.bodyStride]), Double(bodyState[body * World.bodyStride + 1]))
    }
    public func angle(_ body: Int) -> Float { bodyState[body * World.bodyStride + 2] }
    public func velocity(_ body: Int) -> (x: Float, y: Float) {
        (bodyState[body * World.bodyStride + 3], bodyState[body * World.bodyStride + 4])
    }
    public func angularVelocity(_ body: Int) -> Float { bodyState[body * World.bodyStride + 5] }
    public func touchesGround(_ body: Int) -> Bool { bodyState[body * World.bodyStride + 6] > 0 }
    public func jointAngle(_ joint: Int) -> Float { jointState[2 * joint] }
    public func jointSpeed(_ joint: Int) -> Float { jointState[2 * joint + 1] }

    /// Every shape in world coordinates, for drawing.
    public func placedShapes() -> [PlacedShape] {
        var out: [PlacedShape] = []
        for (i, spec) in morphology.bodies.enumerated() {
            let o = position(i), a = Double(angle(i))
            func place(_ p: Vec2) -> Vec2 { o + p.rotated(by: a) }
            for shape in spec.shapes {
                let g: ShapeSpec.Geometry
                switch shape.geometry {
                case let .capsule(p, q, r): g = .capsule(a: place(p), b: place(q), radius: r)
                case let .box(c, h, angle, d): g = .box(center: place(c), halfSize: h, angle: angle + a, depth: d)
                case let .circle(c, r): g = .circle(center: place(c), radius: r)
                }
                out.append(PlacedShape(geometry: g, color: spec.color, body: i))
            }
        }
        return out
    }

    /// Total mass (kg) as built, and each body's.
    public func mass(_ body: Int) -> Double { world.mass(of: bodies[body]) }
    public func inertia(_ body: Int) -> Double { world.inertia(of: bodies[body]) }

    // MARK: - Shapes to Box2D fixtures

    /// Box2D pads polygons with a skin of `b2_polygonRadius` (0.01 m), so polygon vertices sit that
    /// far inside the true outline; density is chosen so the body gets the 3-D solid's mass.
    static let skin = 0.01

    static func fixture(_ shape: ShapeSpec) -> (vertices: [Vec2]?, arealDensity: Double) {
        switch shape.geometry {
        case let .capsule(a, b, r):
            let vertices = capsulePolygon(a: a, b: b, radius: max(r - skin, 0.5 * r))
            return (vertices, shape.mass / polygonArea(vertices))
        case let .box(c, h, angle, _):
            let hx = max(h.x - skin, 0.5 * h.x), hy = max(h.y - skin, 0.5 * h.y)
            let vertices = [Vec2(-hx, -hy), Vec2(hx, -hy), Vec2(hx, hy), Vec2(-hx, hy)].map { c + $0.rotated(by: angle) }
            return (vertices, shape.mass / polygonArea(vertices))
        case let .circle(_, r):
            return (nil, shape.mass / (Double.pi * r * r))
        }
    }

    /// A capsule as the octagon Box2D allows (at most 8 vertices): four points on each end cap,
    /// counter-clockwise.
    static func capsulePolygon(a: Vec2, b: Vec2, radius r: Double) -> [Vec2] {
        let d = b - a
        let axis = d.length > 1e-9 ? atan2(d.y, d.x) : 0
        let step = Double.pi / 4
        var out: [Vec2] = []
        for k in 0..<4 { out.append(b + Vec2(r, 0).rotated(by: axis - 1.5 * step + Double(k) * step)) }
        for k in 0..<4 { out.append(a + Vec2(r, 0).rotated(by: axis + 2.5 * step + Double(k) * step)) }
        return out
    }

    static func polygonArea(_ v: [Vec2]) -> Double {
        var s = 0.0
        for i in v.indices { let p = v[i], q = v[(i + 1) % v.count]; s += p.x * q.y - q.x * p.y }
        return abs(s) / 2
    }
}

/// A shape in world coordinates with its body's colour.
public struct PlacedShape: Sendable {
    public var geometry: ShapeSpec.Geometry
    public var color: UInt32
    public var body: Int
}
