import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@testable import Graphics

@Suite struct LinePlotTests {
    func samplePlot() -> LinePlot {
        var plot = LinePlot(title: "Sinusoid, K = 10", xLabel: "gradient steps", yLabel: "mean squared error")
        let steps = (0...10).map(Double.init)
        let maml = steps.map { 0.35 + 2.5 * exp(-$0) }
        plot.add(.init(label: "MAML", x: steps, y: maml, lower: maml.map { $0 - 0.1 }, upper: maml.map { $0 + 0.1 }, markers: true))
        plot.add(.init(label: "pretrained", x: steps, y: steps.map { 2.2 + 0.2 * exp(-$0) }))
        plot.add(.init(label: "oracle", x: [0, 10], y: [0.05, 0.05], dashed: true))
        return plot
    }

    @Test func rasterHasSeriesColoursAndLabels() {
        let canvas = samplePlot().canvas()
        #expect(canvas.width == 640 && canvas.height == 400)
        var counts: [RGB: Int] = [:]
        for y in 0..<canvas.height { for x in 0..<canvas.width { counts[canvas[x, y], default: 0] += 1 } }
        for colour in LinePlot.palette.prefix(3) { #expect(counts[colour, default: 0] > 50, "series colour \(colour) drawn") }
        #expect(counts[RGB(40, 40, 40), default: 0] > 500, "axes, ticks and text")
        if let path = ProcessInfo.processInfo.environment["PLOT_OUT"] { try? samplePlot().writePNG(to: path) }
    }

    @Test func legendTakesACornerTheLinesLeaveFree() {
        var high = LinePlot(title: "", xLabel: "", yLabel: "")
        high.add(.init(label: "high", x: [0, 1, 2, 3], y: [9, 10, 10, 9]))
        high.add(.init(label: "floor", x: [1.5], y: [0]))
        let l = high.layout()
        let corner = high.legendOrigin(l, width: 100, height: 40)
        #expect(corner.y > (l.top + l.bottom) / 2, "a line along the top sends the legend below")
        var falling = LinePlot(title: "", xLabel: "", yLabel: "")
        falling.add(.init(label: "down", x: [0, 1, 2, 3], y: [10, 1, 0, 0]))
        let top = falling.legendOrigin(falling.layout(), width: 100, height: 40)
        #expect(top.x > l.left + 100 && top.y < (l.top + l.bottom) / 2, "top right when it is free")
    }

    @Test func svgIsWellFormedWithOneLinePerSeries() throws {
        let svg = samplePlot().svg()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
        #expect(svg.components(separatedBy: "<polygon").count - 1 == 1, "one error band")
        #expect(svg.contains(">MAML</text>") && svg.contains("stroke-dasharray"))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "SVG parses as XML")
    }

    @Test func panelsSitSideBySideInOneFigure() throws {
        var narrow = samplePlot()
        narrow.width = 320
        let panels = PlotPanels([samplePlot(), narrow])
        let figure = panels.canvas()
        #expect(figure.width == 960 && figure.height == 400)
        let (left, right) = (samplePlot().canvas(), narrow.canvas())
        #expect((0..<400).allSatisfy { y in (0..<640).allSatisfy { x in figure[x, y] == left[x, y] } })
        #expect((0..<400).allSatisfy { y in (0..<320).allSatisfy { x in figure[640 + x, y] == right[x, y] } })
        let svg = panels.svg()
        #expect(svg.contains("<svg x=\"0\" ") && svg.contains("<svg x=\"640\" "))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "SVG parses as XML")
    }

    @Test func niceTicksCoverTheData() {
        let (range, ticks) = LinePlot.axis(nil, data: [0.37, 2.41])
        #expect(range.lowerBound <= 0.37 && range.upperBound >= 2.41)
        #expect(ticks.count >= 4 && ticks.count <= 9)
        #expect(LinePlot.label(0.5) == "0.5" && LinePlot.label(200) == "200")
        #expect(LinePlot.axis(nil, data: [0, 3], minimumStep: 1).1 == [0, 1, 2, 3], "whole-number ticks for step counts")
    }
}
