import Foundation

/// Plots side by side in one figure, left to right: the paper's Figures 4–5 put one experiment
/// in each panel.
public struct PlotPanels: Sendable {
    public var plots: [LinePlot]

    public init(_ plots: [LinePlot]) {
        precondition(!plots.isEmpty, "a figure needs at least one panel")
        self.plots = plots
    }

    var width: Int { plots.reduce(0) { $0 + $1.width } }
    var height: Int { plots.map(\.height).max()! }

    public func canvas() -> Canvas {
        var figure = Canvas(width: width, height: height)
        var x = 0
        for plot in plots {
            figure.paste(plot.canvas(), x: x, y: 0)
            x += plot.width
        }
        return figure
    }

    /// One SVG document holding each panel as a nested `<svg>` shifted to its place.
    public func svg() -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        var x = 0
        for plot in plots {
            out += plot.svg().replacingOccurrences(of: "<svg ", with: "<svg x=\"\(x)\" ", options: .anchored) + "\n"
            x += plot.width
        }
        return out + "</svg>\n"
    }

    public func writePNG(to path: String) throws { try PNG.write(canvas(), to: path) }
    public func writeSVG(to path: String) throws {
        try svg().write(to: URL(fileURLWithPath: path), atomically: true, encoding: .utf8)
    }
}
