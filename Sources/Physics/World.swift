import CBox2D

/// Handle of a body in a `World` (its index in creation order).
public struct Body: Sendable, Hashable { public let index: Int32 }
/// Handle of an actuated revolute joint in a `World` (its index in creation order).
public struct Joint: Sendable, Hashable { public let index: Int32 }

/// A Box2D world: ground, bodies and actuated joints. Thin and unchecked; `Robot` builds one from
/// a morphology and is what environments use.
public final class World {
    let handle: OpaquePointer
    public let settings: PhysicsSettings

    public init(settings: PhysicsSettings = PhysicsSettings()) {
        self.settings = settings
        handle = cb2_world_create(0, Float(settings.gravity), Float(settings.timeStep),
                                  Int32(settings.velocityIterations), Int32(settings.positionIterations))
    }
    deinit { cb2_world_destroy(handle) }

    /// Flat ground at y = 0 from −halfWidth to +halfWidth.
    public func addGround(halfWidth: Double, segment: Double = 20, friction: Double) {
        cb2_add_ground(handle, Float(halfWidth), Float(segment), Float(friction))
    }

    /// A dynamic body whose origin is at `position`, turned by `angle`.
    public func addBody(at position: Vec2, angle: Double) -> Body {
        Body(index: cb2_add_body(handle, Float(position.x), Float(position.y), Float(angle)))
    }

    /// A convex polygon (body-local, counter-clockwise, 3…8 vertices) with areal density kg/m².
    public func addPolygon(to body: Body, vertices: [Vec2], density: Double, friction: Double, group: Int16) {
        precondition((3...8).contains(vertices.count), "Box2D polygons have 3...8 vertices")
        let xy = vertices.flatMap { [Float($0.x), Float($0.y)] }
        cb2_add_polygon(handle, body.index, xy, Int32(vertices.count), Float(density), Float(friction), group)
    }

    public func addCircle(to body: Body, center: Vec2, radius: Double, density: Double, friction: Double, group: Int16) {
        cb2_add_circle(handle, body.index, Float(center.x), Float(center.y), Float(radius), Float(density),
                       Float(friction), group)
    }

    /// Adds rotational inertia to a body (joint armature, see `JointSpec.armature`).
    public func addInertia(_ extra: Double, to body: Body) { cb2_add_inertia(handle, body.index, Float(extra)) }

    /// Sets the velocity of the body's origin and its angular velocity.
    public func setVelocity(of body: Body, linear: Vec2, angular: Double) {
        cb2_set_velocity(handle, body.index, Float(linear.x), Float(linear.y), Float(angular))
    }

    /// A limited, actuated revolute joint at world point `anchor` whose angle is `currentAngle` in
    /// the bodies' current pose.
    public func addRevolute(parent: Body, child: Body, anchor: Vec2, currentAngle: Double, spec: JointSpec) -> Joint {
        Joint(index: cb2_add_revolute(handle, parent.index, child.index, Float(anchor.x), Float(anchor.y),
                                      Float(spec.lower), Float(spec.upper), Float(spec.gear), Float(spec.stiffness),
                                      Float(spec.damping), Float(spec.springRef), Float(currentAngle)))
    }

    /// Applies `actions` (one per joint) before each of `frameSkip` physics steps; returns the
    /// tracked body's origin x-velocity averaged over those steps.
    @inline(__always)
    public func step(actions: UnsafePointer<Float>, frameSkip: Int, tracking body: Body) -> Float {
        cb2_step(handle, actions, Int32(frameSkip), body.index)
    }

    /// Reads `Self.bodyStride` floats per body (x, y, angle, vx, vy, ω, ground contact) and two per
    /// joint (angle, speed).
    @inline(__always)
    public func readState(bodies: UnsafeMutablePointer<Float>, joints: UnsafeMutablePointer<Float>) {
        cb2_read_state(handle, bodies, joints)
    }
    public static let bodyStride = Int(CB2_BODY_STRIDE)

    public var bodyCount: Int { Int(cb2_body_count(handle)) }
    public var jointCount: Int { Int(cb2_joint_count(handle)) }
    public func mass(of body: Body) -> Double { Double(cb2_body_mass(handle, body.index)) }
    /// Rotational inertia about the body's centre of mass.
    public func inertia(of body: Body) -> Double { Double(cb2_body_inertia(handle, body.index)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
