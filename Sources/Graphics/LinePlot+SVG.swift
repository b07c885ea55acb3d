import Foundation

extension LinePlot {
    /// The plot as a standalone SVG document (same layout as the raster).
    public func svg() -> String {
        let l = layout()
        func hex(_ c: RGB) -> String { String(format: "#%02x%02x%02x", c.r, c.g, c.b) }
        func n(_ v: Double) -> String { String(format: "%.2f", v) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <defs><clipPath id="plot"><rect x="\(n(l.left))" y="\(n(l.top))" width="\(n(l.right - l.left))" height="\(n(l.bottom - l.top))"/></clipPath></defs>

        """
        for t in l.xTicks {
            out += "<line x1=\"\(n(l.px(t)))\" y1=\"\(n(l.top))\" x2=\"\(n(l.px(t)))\" y2=\"\(n(l.bottom))\" stroke=\"#e8e8e8\"/>\n"
            out += "<text x=\"\(n(l.px(t)))\" y=\"\(n(l.bottom + 18))\" text-anchor=\"middle\">\(Self.label(t))</text>\n"
        }
        for t in l.yTicks {
            out += "<line x1=\"\(n(l.left))\" y1=\"\(n(l.py(t)))\" x2=\"\(n(l.right))\" y2=\"\(n(l.py(t)))\" stroke=\"#e8e8e8\"/>\n"
            out += "<text x=\"\(n(l.left - 8))\" y=\"\(n(l.py(t) + 4))\" text-anchor=\"end\">\(Self.label(t))</text>\n"
        }
        out += "<g clip-path=\"url(#plot)\">\n"
        for (i, s) in series.enumerated() {
            guard let lower = s.lower, let upper = s.upper else { continue }
            let pts = s.x.indices.map { "\(n(l.px(s.x[$0]))),\(n(l.py(upper[$0])))" }
                + s.x.indices.reversed().map { "\(n(l.px(s.x[$0]))),\(n(l.py(lower[$0])))" }
            out += "<polygon points=\"\(pts.joined(separator: " "))\" fill=\"\(hex(color(i)))\" fill-opacity=\"0.25\" stroke=\"none\"/>\n"
        }
        for (i, s) in series.enumerated() {
            let pts = s.x.indices.map { "\(n(l.px(s.x[$0]))),\(n(l.py(s.y[$0])))" }.joined(separator: " ")
            out += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(hex(color(i)))\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            if s.markers || s.x.count == 1 {
                for k in s.x.indices { out += "<circle cx=\"\(n(l.px(s.x[k])))\" cy=\"\(n(l.py(s.y[k])))\" r=\"3\" fill=\"\(hex(color(i)))\"/>\n" }
            }
        }
        out += "</g>\n"
        out += "<rect x=\"\(n(l.left))\" y=\"\(n(l.top))\" width=\"\(n(l.right - l.left))\" height=\"\(n(l.bottom - l.top))\" fill=\"none\" stroke=\"#282828\"/>\n"
        out += "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(esc(title))</text>\n"
        out += "<text x=\"\(n((l.left + l.right) / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(n((l.top + l.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
        if !series.isEmpty {
            let w = Double(series.map { $0.label.count }.max()! * 7 + 40), h = Double(series.count * 16 + 8)
            let (x0, y0) = legendOrigin(l, width: w, height: h)
            out += "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"white\" stroke=\"#bebebe\"/>\n"
            for (i, s) in series.enumerated() {
                let y = y0 + 14 + Double(i * 16)
                out += "<line x1=\"\(n(x0 + 6))\" y1=\"\(n(y - 4))\" x2=\"\(n(x0 + 28))\" y2=\"\(n(y - 4))\" stroke=\"\(hex(color(i)))\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                out += "<text x=\"\(n(x0 + 34))\" y=\"\(n(y))\">\(esc(s.label))</text>\n"
            }
        }
        return out + "</svg>\n"
    }
}
