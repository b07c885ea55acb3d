import Foundation
import Graphics

/// The comparison as a Markdown table and as loss-against-step figures.
extension Comparison {
    /// Mean loss ± 95% interval of every method at every reported horizon, then learned minus
    /// each baseline on the same runs.
    public func table() -> String {
        func cell(_ s: Summary) -> String {
            guard let mean = s.mean, let ci = s.ci95 else { return "diverged in \(s.diverged) of \(testRuns) runs" }
            return String(format: "%.4g ± %.2g (median %.3g)", mean, ci, s.median ?? .nan)
        }
        var lines = ["\(problem): mean loss ± 95% interval over \(testRuns) held-out runs (Student t); trained on \(trainingHorizon)-step horizons",
                     "", "| method | learning rate | mean over steps 1–\(Swift.min(trainingHorizon, steps)) | " + horizons.map { "step \($0)" }.joined(separator: " | ") + " |",
                     "|---|---|---|" + horizons.map { _ in "---|" }.joined()]
        for m in methods {
            lines.append("| \(m.name) | \(m.learningRate.map { String(format: "%g", $0) } ?? "—") | \(cell(m.horizonMean)) | "
                         + horizons.map { cell(m.curve[$0]) }.joined(separator: " | ") + " |")
        }
        let columns: [Int?] = [nil] + horizons
        lines += ["", "| learned − baseline, same runs | mean over steps 1–\(Swift.min(trainingHorizon, steps)) | " + horizons.map { "step \($0)" }.joined(separator: " | ") + " |",
                  "|---|---|" + horizons.map { _ in "---|" }.joined()]
        for baseline in methods.dropFirst().map(\.name) {
            let cells = columns.map { step -> String in
                guard let p = paired.first(where: { $0.baseline == baseline && $0.step == step }) else { return "" }
                let lower = "learned lower in \(p.learnedLower)/\(p.runs)"
                guard let d = p.meanDifference, let ci = p.ci95 else { return "n/a (divergence); " + lower }
                return String(format: "%+.3g ± %.2g; ", d, ci) + lower
            }
            lines.append("| LSTM − \(baseline) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// log₁₀ of the mean loss against step, steps 0…`last`, with the 95% band; a method's line
    /// stops where a run diverged. (LinePlot has linear axes, so the logarithm is plotted.)
    public func plot(upTo last: Int) -> LinePlot {
        var plot = LinePlot(title: "\(problem == "mnist" ? "Fashion-MNIST MLP" : "Quadratics"), \(testRuns) held-out runs",
                            xLabel: last > trainingHorizon ? "step (trained on \(trainingHorizon))" : "step",
                            yLabel: "log10 mean loss (95% band)")
        // Within the horizon only the baselines tuned for it; beyond, those tuned for the long run too.
        for m in methods where last > trainingHorizon || (m.tunedOver ?? 0) <= trainingHorizon {
            let kept = m.curve.summaries.prefix(last + 1).prefix { $0.mean != nil }
            let means = kept.map { $0.mean! }, cis = kept.map { $0.ci95 ?? 0 }
            let floor = means.map { $0 * 1e-3 }
            plot.add(.init(label: m.name + (m.learningRate.map { String(format: " lr %g", $0) } ?? ""),
                           x: means.indices.map(Double.init), y: means.map { Foundation.log10(Swift.max($0, 1e-12)) },
                           lower: zip(zip(means, cis), floor).map { Foundation.log10(Swift.max($0.0 - $0.1, $1, 1e-12)) },
                           upper: zip(means, cis).map { Foundation.log10(Swift.max($0 + $1, 1e-12)) }, dashed: m.learningRate != nil))
        }
        return plot
    }

    /// Writes `loss-horizon.png` (the training horizon) and `loss-long.png` (every step) into `folder`.
    public func writePlots(to folder: URL) throws -> [String] {
        let files = [("loss-horizon.png", trainingHorizon), ("loss-long.png", steps)]
        return try files.map { name, last in
            let path = folder.appendingPathComponent(name).path
            try plot(upTo: Swift.min(last, steps)).writePNG(to: path)
            return path
        }
    }
}
