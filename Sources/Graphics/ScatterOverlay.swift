import Foundation

/// Points drawn on top of a `LinePlot` without joining lines: the K support points of a
/// few-shot regression fit (Finn et al. 2017, Figure 2). Both back ends, same layout.
extension LinePlot {
    public struct Scatter: Sendable {
        public var x: [Double]
        public var y: [Double]
        public var color: RGB
        public var radius: Double

        public init(x: [Double], y: [Double], color: RGB = RGB(0, 0, 0), radius: Double = 4) {
            precondition(x.count == y.count, "scatter: x and y differ in length")
            self.x = x; self.y = y; self.color = color; self.radius = radius
        }
    }

    /// The raster with `scatter` drawn over the plot area.
    public func canvas(overlaying scatter: [Scatter]) -> Canvas {
        var c = canvas()
        let l = layout()
        for s in scatter {
            for (x, y) in zip(s.x, s.y) where l.x.contains(x) && l.y.contains(y) {
                c.fillCircle(cx: l.px(x), cy: l.py(y), radius: s.radius + 1, .white)
                c.fillCircle(cx: l.px(x), cy: l.py(y), radius: s.radius, s.color)
            }
        }
        return c
    }

    /// The SVG document with `scatter` drawn over the plot area.
    public func svg(overlaying scatter: [Scatter]) -> String {
        let l = layout()
        var dots = ""
        for s in scatter {
            let fill = String(format: "#%02x%02x%02x", s.color.r, s.color.g, s.color.b)
            for (x, y) in zip(s.x, s.y) where l.x.contains(x) && l.y.contains(y) {
                dots += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%@\" stroke=\"white\"/>\n",
                               l.px(x), l.py(y), s.radius, fill)
            }
        }
        var document = svg()
        if let end = document.range(of: "</svg>", options: .backwards) { document.insert(contentsOf: dots, at: end.lowerBound) }
        return document
    }

    public func writePNG(to path: String, overlaying scatter: [Scatter]) throws {
        try PNG.write(canvas(overlaying: scatter), to: path)
    }

    public func writeSVG(to path: String, overlaying scatter: [Scatter]) throws {
        try svg(overlaying: scatter).write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
    }
}
