import Envs
import Graphics

/// Draws a `Scene` into a `Canvas`: side view with sky, ground, metre ticks and goal line, or a
/// top-down arena with grid, trail, goal and agent; the status fields along the top.
public struct SceneRasterizer: Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int = 480, height: Int = 270) {
        self.width = width
        self.height = height
    }

    public func draw(_ scene: Scene) -> Canvas {
        var canvas = Canvas(width: width, height: height, background: .sky)
        let s = Double(width) / scene.viewWidth
        let w = Double(width), h = Double(height)
        func px(_ p: Vec2) -> (x: Double, y: Double) {
            ((p.x - scene.camera.x) * s + w / 2, h / 2 - (p.y - scene.camera.y) * s)
        }
        let left = scene.camera.x - scene.viewWidth / 2, right = scene.camera.x + scene.viewWidth / 2
        switch scene.view {
        case .side:
            let groundY = px(Vec2(0, 0)).y
            canvas.fillRect(x0: 0, y0: groundY, x1: w, y1: h, .ground)
            // Ticks every 0.5 m, longer at whole metres, so motion is visible against the ground.
            var x = (left * 2).rounded(.down) / 2
            while x <= right {
                let whole = x == x.rounded()
                let p = px(Vec2(x, 0))
                canvas.drawLine(x0: p.x, y0: groundY, x1: p.x, y1: groundY + (whole ? 10 : 5), width: 1, .black)
                if whole { Font.draw(String(Int(x)), at: (p.x + 2, groundY + 4), on: &canvas, color: .white) }
                x += 0.5
            }
            canvas.drawLine(x0: 0, y0: groundY, x1: w, y1: groundY, width: 2, .black)
            if case let .x(gx)? = scene.goal {
                let base = px(Vec2(gx, 0)), top = px(Vec2(gx, 1.2))
                canvas.drawLine(x0: base.x, y0: base.y, x1: top.x, y1: top.y, width: 3, .goal)
                canvas.fillPolygon([(top.x, top.y), (top.x + 18, top.y + 6), (top.x, top.y + 12)], .goal)
            }
        case .topDown:
            let gridColor = RGB(215, 222, 232)
            var g = (left * 10).rounded(.down) / 10
            while g <= right {
                let a = px(Vec2(g, 0))
                canvas.drawLine(x0: a.x, y0: 0, x1: a.x, y1: h, gridColor)
                g += 0.1
            }
            let top = scene.camera.y + h / s / 2, bottom = scene.camera.y - h / s / 2
            g = (bottom * 10).rounded(.down) / 10
            while g <= top {
                let a = px(Vec2(0, g))
                canvas.drawLine(x0: 0, y0: a.y, x1: w, y1: a.y, gridColor)
                g += 0.1
            }
            let o = px(Vec2(0, 0))
            canvas.drawLine(x0: o.x, y0: 0, x1: o.x, y1: h, RGB(160, 170, 185))
            canvas.drawLine(x0: 0, y0: o.y, x1: w, y1: o.y, RGB(160, 170, 185))
            for (a, b) in zip(scene.trail, scene.trail.dropFirst()) {
                let p = px(a), q = px(b)
                canvas.drawLine(x0: p.x, y0: p.y, x1: q.x, y1: q.y, width: 2, .trail)
            }
            if case let .point(goal)? = scene.goal {
                let p = px(goal)
                canvas.fillCircle(cx: p.x, cy: p.y, radius: 0.04 * s, .goal)
                canvas.fillCircle(cx: p.x, cy: p.y, radius: 0.025 * s, .sky)
                canvas.fillCircle(cx: p.x, cy: p.y, radius: 0.012 * s, .goal)
            }
        }
        for item in scene.items {
            switch item.shape {
            case let .capsule(a, b, r):
                let p = px(a), q = px(b)
                canvas.fillCapsule(x0: p.x, y0: p.y, x1: q.x, y1: q.y, radius: max(1, r * s), RGB(hex: item.color))
            case let .circle(c, r):
                let p = px(c)
                canvas.fillCircle(cx: p.x, cy: p.y, radius: max(1.5, r * s), RGB(hex: item.color))
            case let .polygon(points):
                canvas.fillPolygon(points.map(px), RGB(hex: item.color))
            }
        }
        let status = scene.status.map { "\($0.0) \($0.1)" }.joined(separator: "   ")
        Font.draw(status, at: (6, 6), on: &canvas, color: .black)
        return canvas
    }
}
