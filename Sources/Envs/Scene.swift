// Envs speaks in Physics' vocabulary (scene and goal positions are `Vec2`, `EnvConfig` holds
// `PhysicsSettings`): whoever imports Envs gets it, rather than importing Physics for one type.
@_exported import Physics

/// What an env looks like at one instant, in world coordinates (x right, y up, metres).
/// Renderers (ASCII, raster, GIF) read only this, never the physics.
public struct Scene: Sendable {
    public enum View: Sendable {
        /// Side view over a ground line at y = 0 (locomotion).
        case side
        /// Top-down view of the plane (navigation).
        case topDown
    }

    public enum Shape: Sendable {
        case polygon([Vec2])
        case circle(center: Vec2, radius: Double)
        /// A segment thickened by `radius`, with round ends.
        case capsule(a: Vec2, b: Vec2, radius: Double)
    }

    public struct Item: Sendable {
        public var shape: Shape
        /// 0xRRGGBB, as robot files write colours.
        public var color: UInt32
        public init(_ shape: Shape, color: UInt32) { self.shape = shape; self.color = color }
    }

    public enum Goal: Sendable {
        /// A vertical line at this x (goal-x tasks).
        case x(Double)
        /// A point (navigation).
        case point(Vec2)
    }

    public var view: View
    public var items: [Item]
    /// Centre of the view; follows the torso (side view) or stays on the arena (top-down).
    public var camera: Vec2
    /// Width of world shown, metres.
    public var viewWidth: Double
    public var goal: Goal?
    /// Past positions of the agent (navigation).
    public var trail: [Vec2] = []
    /// Simulated time, seconds.
    public var time: Double
    /// Short status fields, e.g. ("v", "1.23 m/s"), shown by renderers in order.
    public var status: [(String, String)]

    public init(view: View, items: [Item], camera: Vec2, viewWidth: Double, goal: Goal? = nil,
                trail: [Vec2] = [], time: Double, status: [(String, String)]) {
        self.view = view; self.items = items; self.camera = camera; self.viewWidth = viewWidth
        self.goal = goal; self.trail = trail; self.time = time; self.status = status
    }
}

extension Robot {
    /// The robot's shapes as scene items, coloured as its morphology says.
    func sceneItems() -> [Scene.Item] {
        placedShapes().map { placed in
            let shape: Scene.Shape
            switch placed.geometry {
            case let .capsule(a, b, r): shape = .capsule(a: a, b: b, radius: r)
            case let .circle(c, r): shape = .circle(center: c, radius: r)
            case let .box(c, h, angle, _):
                shape = .polygon([Vec2(-h.x, -h.y), Vec2(h.x, -h.y), Vec2(h.x, h.y), Vec2(-h.x, h.y)]
                    .map { c + $0.rotated(by: angle) })
            }
            return Scene.Item(shape, color: placed.color)
        }
    }
}
