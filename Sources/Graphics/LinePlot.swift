import Foundation

/// A line chart with several series, optional error bands (e.g. 95% confidence intervals), axis
/// labels, a title and a legend; drawn to a `Canvas` (for PNG) or to SVG text.
///
///     var plot = LinePlot(title: "Sinusoid, K = 10", xLabel: "gradient steps", yLabel: "MSE")
///     plot.add(.init(label: "MAML", x: steps, y: mean, lower: low, upper: high))
///     try plot.writePNG(to: "runs/sinusoid/steps.png"); try plot.writeSVG(to: "runs/sinusoid/steps.svg")
public struct LinePlot: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// Error band bounds, one per point (both or neither).
        public var lower: [Double]?
        public var upper: [Double]?
        /// nil picks the next colour of `LinePlot.palette`.
        public var color: RGB?
        public var dashed: Bool
        /// Draw a dot at each point.
        public var markers: Bool

        public init(label: String, x: [Double], y: [Double], lower: [Double]? = nil, upper: [Double]? = nil,
                    color: RGB? = nil, dashed: Bool = false, markers: Bool = false) {
            precondition(x.count == y.count, "series '\(label)': x and y differ in length")
            precondition((lower == nil) == (upper == nil), "series '\(label)': give both band bounds or neither")
            precondition(lower.map { $0.count == y.count } ?? true && upper.map { $0.count == y.count } ?? true,
                         "series '\(label)': band bounds need one value per point")
            self.label = label; self.x = x; self.y = y; self.lower = lower; self.upper = upper
            self.color = color; self.dashed = dashed; self.markers = markers
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series] = []
    /// Axis ranges; nil fits the data (bands included) with nice rounded ends.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Ticks on whole numbers only (counts such as gradient steps).
    public var integerXTicks = false
    public var width: Int
    public var height: Int

    /// Colour-blind-friendly default colours (Okabe & Ito, 2008).
    public static let palette: [RGB] = [RGB(0, 114, 178), RGB(213, 94, 0), RGB(0, 158, 115), RGB(204, 121, 167),
                                        RGB(230, 159, 0), RGB(86, 180, 233), RGB(0, 0, 0), RGB(240, 228, 66)]

    public init(title: String = "", xLabel: String = "", yLabel: String = "", width: Int = 640, height: Int = 400) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.width = width; self.height = height
    }

    public mutating func add(_ s: Series) { series.append(s) }

    public func writePNG(to path: String) throws { try PNG.write(canvas(), to: path) }
    public func writeSVG(to path: String) throws {
        try svg().write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
    }

    // MARK: - Layout shared by both back ends

    struct Layout {
        let left = 64.0, right: Double, top = 34.0, bottom: Double
        let x: ClosedRange<Double>, y: ClosedRange<Double>
        let xTicks: [Double], yTicks: [Double]
        func px(_ v: Double) -> Double { left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * (bottom - top) }
    }

    func layout() -> Layout {
        let xs = series.flatMap(\.x).filter(\.isFinite)
        let ys = series.flatMap { $0.y + ($0.lower ?? []) + ($0.upper ?? []) }.filter(\.isFinite)
        let (xr, xt) = Self.axis(xRange, data: xs, minimumStep: integerXTicks ? 1 : 0)
        let (yr, yt) = Self.axis(yRange, data: ys)
        return Layout(right: Double(width) - 16, bottom: Double(height) - 46, x: xr, y: yr, xTicks: xt, yTicks: yt)
    }

    func color(_ i: Int) -> RGB { series[i].color ?? Self.palette[i % Self.palette.count] }

    /// Top-left corner of a w × h legend: the inner corner of the plot (top right first) whose box
    /// covers the fewest points of the lines and bands, sampled along each segment.
    func legendOrigin(_ l: Layout, width w: Double, height h: Double) -> (x: Double, y: Double) {
        var points: [(Double, Double)] = []
        for s in series {
            for ys in [s.y, s.lower, s.upper].compactMap({ $0 }) {
                let p = s.x.indices.map { (l.px(s.x[$0]), l.py(ys[$0])) }
                points += p.prefix(1)
                for (a, b) in zip(p, p.dropFirst()) {
                    points += (1...16).map { k in (a.0 + (b.0 - a.0) * Double(k) / 16, a.1 + (b.1 - a.1) * Double(k) / 16) }
                }
            }
        }
        let corners = [(l.right - w - 8, l.top + 8), (l.left + 8, l.top + 8),
                       (l.right - w - 8, l.bottom - h - 8), (l.left + 8, l.bottom - h - 8)]
        func covered(_ c: (Double, Double)) -> Int {
            points.filter { $0.0 >= c.0 - 4 && $0.0 <= c.0 + w + 4 && $0.1 >= c.1 - 4 && $0.1 <= c.1 + h + 4 }.count
        }
        let best = corners.min { covered($0) < covered($1) }!
        return (best.0, best.1)
    }

    /// A range and ticks at 1, 2 or 5 × 10^k, about six of them (Heckbert, "Nice numbers for
    /// graph labels", Graphics Gems, 1990).
    static func axis(_ fixed: ClosedRange<Double>?, data: [Double], minimumStep: Double = 0) -> (ClosedRange<Double>, [Double]) {
        var lo = fixed?.lowerBound ?? data.min() ?? 0, hi = fixed?.upperBound ?? data.max() ?? 1
        if hi - lo < 1e-12 { lo -= 0.5; hi += 0.5 }
        let raw = (hi - lo) / 6
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = max(minimumStep, [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude)
        if fixed == nil { lo = (lo / step).rounded(.down) * step; hi = (hi / step).rounded(.up) * step }
        var ticks: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 { ticks.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return (lo...hi, ticks)
    }

    /// Tick label: integers plainly, else up to three significant decimals, exponents for extremes.
    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    // MARK: - Raster

    public func canvas() -> Canvas {
        var c = Canvas(width: width, height: height, background: .white)
        let l = layout()
        let grid = RGB(232, 232, 232)
        for t in l.xTicks { c.drawLine(x0: l.px(t), y0: l.top, x1: l.px(t), y1: l.bottom, grid) }
        for t in l.yTicks { c.drawLine(x0: l.left, y0: l.py(t), x1: l.right, y1: l.py(t), grid) }
        for (i, s) in series.enumerated() {
            guard let lower = s.lower, let upper = s.upper else { continue }
            let band = s.x.indices.map { (l.px(s.x[$0]), l.py(upper[$0])) } + s.x.indices.reversed().map { (l.px(s.x[$0]), l.py(lower[$0])) }
            c.fillPolygon(band, blend(color(i), .white, 0.25))
        }
        for (i, s) in series.enumerated() {
            let points = s.x.indices.map { (x: l.px(s.x[$0]), y: l.py(s.y[$0])) }
            var dash = 0.0
            for (a, b) in zip(points, points.dropFirst()) {
                if s.dashed { drawDashed(&c, a, b, color(i), &dash) } else {
                    c.drawLine(x0: a.x, y0: a.y, x1: b.x, y1: b.y, width: 2, color(i))
                }
            }
            if s.markers || points.count == 1 { for p in points { c.fillCircle(cx: p.x, cy: p.y, radius: 3, color(i)) } }
        }
        // Clip: repaint the margins, then draw the frame, ticks and labels on top.
        c.fillRect(x0: 0, y0: 0, x1: Double(width), y1: l.top, .white)
        c.fillRect(x0: 0, y0: l.bottom + 1, x1: Double(width), y1: Double(height), .white)
        c.fillRect(x0: 0, y0: 0, x1: l.left, y1: Double(height), .white)
        c.fillRect(x0: l.right + 1, y0: 0, x1: Double(width), y1: Double(height), .white)
        let ink = RGB(40, 40, 40)
        for (a, b) in [((l.left, l.top), (l.right, l.top)), ((l.right, l.top), (l.right, l.bottom)),
                       ((l.left, l.bottom), (l.right, l.bottom)), ((l.left, l.top), (l.left, l.bottom))] {
            c.drawLine(x0: a.0, y0: a.1, x1: b.0, y1: b.1, ink)
        }
        for t in l.xTicks {
            let s = Self.label(t)
            c.drawLine(x0: l.px(t), y0: l.bottom, x1: l.px(t), y1: l.bottom + 4, ink)
            Font.draw(s, at: (l.px(t) - Double(Font.width(s)) / 2, l.bottom + 8), on: &c, color: ink)
        }
        for t in l.yTicks {
            let s = Self.label(t)
            c.drawLine(x0: l.left - 4, y0: l.py(t), x1: l.left, y1: l.py(t), ink)
            Font.draw(s, at: (l.left - 8 - Double(Font.width(s)), l.py(t) - 3), on: &c, color: ink)
        }
        Font.draw(title, at: ((Double(width) - Double(Font.width(title, scale: 2))) / 2, 8), on: &c, color: ink, scale: 2)
        Font.draw(xLabel, at: ((l.left + l.right - Double(Font.width(xLabel))) / 2, Double(height) - 16), on: &c, color: ink)
        Font.drawUpward(yLabel, at: (10, (l.top + l.bottom + Double(Font.width(yLabel))) / 2), on: &c, color: ink)
        drawLegend(&c, l)
        return c
    }

    private func drawLegend(_ c: inout Canvas, _ l: Layout) {
        guard !series.isEmpty else { return }
        let w = Double(series.map { Font.width($0.label) }.max()! + 34), h = Double(series.count * 14 + 8)
        let (x0, y0) = legendOrigin(l, width: w, height: h)
        c.fillRect(x0: x0, y0: y0, x1: x0 + w, y1: y0 + h, .white)
        for (a, b) in [((x0, y0), (x0 + w, y0)), ((x0 + w, y0), (x0 + w, y0 + h)), ((x0, y0 + h), (x0 + w, y0 + h)), ((x0, y0), (x0, y0 + h))] {
            c.drawLine(x0: a.0, y0: a.1, x1: b.0, y1: b.1, RGB(190, 190, 190))
        }
        for (i, s) in series.enumerated() {
            let y = y0 + 8 + Double(i * 14)
            var dash = 0.0
            if s.dashed { drawDashed(&c, (x0 + 6, y + 3), (x0 + 26, y + 3), color(i), &dash) } else {
                c.drawLine(x0: x0 + 6, y0: y + 3, x1: x0 + 26, y1: y + 3, width: 2, color(i))
            }
            Font.draw(s.label, at: (x0 + 30, y), on: &c, color: RGB(40, 40, 40))
        }
    }

    /// 6 px on, 4 px off, continuing the pattern across segments.
    private func drawDashed(_ c: inout Canvas, _ a: (x: Double, y: Double), _ b: (x: Double, y: Double), _ color: RGB, _ phase: inout Double) {
        let len = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
        var s = 0.0
        while s < len {
            let inPattern = phase.truncatingRemainder(dividingBy: 10)
            let run = min(len - s, inPattern < 6 ? 6 - inPattern : 10 - inPattern)
            if inPattern < 6 {
                let t0 = s / len, t1 = (s + run) / len
                c.drawLine(x0: a.x + t0 * (b.x - a.x), y0: a.y + t0 * (b.y - a.y), x1: a.x + t1 * (b.x - a.x), y1: a.y + t1 * (b.y - a.y), width: 2, color)
            }
            s += run
            phase += run
        }
    }

    func blend(_ a: RGB, _ b: RGB, _ t: Double) -> RGB {
        func mix(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) * t + Double(y) * (1 - t)).rounded()) }
        return RGB(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
    }
}
