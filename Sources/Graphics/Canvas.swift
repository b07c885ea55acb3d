
/// An RGB image in memory with a few filled primitives — enough to draw scenes and plots.
/// Pixel (0, 0) is the top-left; coordinates are in pixels, y down. No anti-aliasing: flat colours
/// keep GIF palettes small and PNGs tiny.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major RGB bytes, 3 per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGB = .white) {
        precondition(width > 0 && height > 0, "a canvas needs a positive size")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        fill(background)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get {
            let i = (y * width + x) * 3
            return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
        }
        set { set(x, y, newValue) }
    }

    @inline(__always)
    public mutating func set(_ x: Int, _ y: Int, _ c: RGB) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * 3
        pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b
    }

    /// Copies `other` with its top-left corner at (x, y), clipped to this canvas.
    public mutating func paste(_ other: Canvas, x: Int, y: Int) {
        for row in 0..<other.height where (0..<height).contains(y + row) {
            let columns = max(0, -x)..<min(other.width, width - x)
            guard !columns.isEmpty else { continue }
            let source = (row * other.width + columns.lowerBound) * 3
            let target = ((y + row) * width + x + columns.lowerBound) * 3
            pixels.replaceSubrange(target..<(target + columns.count * 3), with: other.pixels[source..<(source + columns.count * 3)])
        }
    }

    public mutating func fill(_ c: RGB) {
        for i in stride(from: 0, to: pixels.count, by: 3) { pixels[i] = c.r; pixels[i + 1] = c.g; pixels[i + 2] = c.b }
    }

    public mutating func fillRect(x0: Double, y0: Double, x1: Double, y1: Double, _ c: RGB) {
        let xa = max(0, Int(min(x0, x1).rounded())), xb = min(width, Int(max(x0, x1).rounded()))
        let ya = max(0, Int(min(y0, y1).rounded())), yb = min(height, Int(max(y0, y1).rounded()))
        guard xa < xb, ya < yb else { return }
        for y in ya..<yb { for x in xa..<xb { set(x, y, c) } }
    }

    /// Fills a polygon (any simple polygon, even-odd rule) by scanlines through pixel centres.
    public mutating func fillPolygon(_ points: [(x: Double, y: Double)], _ c: RGB) {
        guard points.count >= 3 else { return }
        let ys = points.map(\.y)
        let yStart = max(0, Int((ys.min()! - 0.5).rounded(.up))), yEnd = min(height - 1, Int((ys.max()! - 0.5).rounded(.down)))
        guard yStart <= yEnd else { return }
        var crossings: [Double] = []
        for y in yStart...yEnd {
            let sy = Double(y) + 0.5
            crossings.removeAll(keepingCapacity: true)
            for i in points.indices {
                let p = points[i], q = points[(i + 1) % points.count]
                if (p.y <= sy && q.y > sy) || (q.y <= sy && p.y > sy) {
                    crossings.append(p.x + (sy - p.y) / (q.y - p.y) * (q.x - p.x))
                }
            }
            crossings.sort()
            var k = 0
            while k + 1 < crossings.count {
                let xa = max(0, Int((crossings[k] - 0.5).rounded(.up))), xb = min(width - 1, Int((crossings[k + 1] - 0.5).rounded(.down)))
                if xa <= xb { for x in xa...xb { set(x, y, c) } }
                k += 2
            }
        }
    }

    public mutating func fillCircle(cx: Double, cy: Double, radius r: Double, _ c: RGB) {
        let ya = max(0, Int((cy - r).rounded(.down))), yb = min(height - 1, Int((cy + r).rounded(.up)))
        guard ya <= yb else { return }
        for y in ya...yb {
            let dy = Double(y) + 0.5 - cy
            let h = r * r - dy * dy
            guard h >= 0 else { continue }
            let w = h.squareRoot()
            let xa = max(0, Int((cx - w - 0.5).rounded(.up))), xb = min(width - 1, Int((cx + w - 0.5).rounded(.down)))
            if xa <= xb { for x in xa...xb { set(x, y, c) } }
        }
    }

    /// A segment of the given width with round ends (a capsule); also how thick lines are drawn.
    public mutating func fillCapsule(x0: Double, y0: Double, x1: Double, y1: Double, radius r: Double, _ c: RGB) {
        let dx = x1 - x0, dy = y1 - y0
        let len = (dx * dx + dy * dy).squareRoot()
        if len > 1e-9 {
            let nx = -dy / len * r, ny = dx / len * r
            fillPolygon([(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)], c)
        }
        fillCircle(cx: x0, cy: y0, radius: r, c)
        fillCircle(cx: x1, cy: y1, radius: r, c)
    }

    /// A line of `width` pixels (at least one pixel wide, so thin lines never vanish).
    public mutating func drawLine(x0: Double, y0: Double, x1: Double, y1: Double, width: Double = 1, _ c: RGB) {
        if width > 1.5 {
            fillCapsule(x0: x0, y0: y0, x1: x1, y1: y1, radius: width / 2, c)
            return
        }
        // Bresenham-like stepping along the longer axis.
        let steps = max(1, Int(max(abs(x1 - x0), abs(y1 - y0)).rounded(.up)))
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            set(Int((x0 + t * (x1 - x0)).rounded(.down)), Int((y0 + t * (y1 - y0)).rounded(.down)), c)
        }
    }

    /// Number of pixels whose colour differs from `c`.
    public func count(notEqualTo c: RGB) -> Int {
        var n = 0
        for i in stride(from: 0, to: pixels.count, by: 3) where pixels[i] != c.r || pixels[i + 1] != c.g || pixels[i + 2] != c.b {
            n += 1
        }
        return n
    }
}
