import Foundation
import MetaLearning
import Graphics

/// The sinusoid figures, as PNG and SVG: the meta-test learning curves (Finn et al. 2017,
/// Figure 3), qualitative fits of MAML and the pretrained baseline (Figure 2, including K points
/// all on one half of the x-axis) and the adaptation-gradient norm over meta-training.
enum SinusoidPlots {
    /// Writes every figure into `folder`; returns the file names written.
    static func write(config: SinusoidConfig, report: SinusoidExperiment.Report, policies: [SinusoidExperiment.Policy],
                      policyFolder: URL, to folder: URL) throws -> [String] {
        var written: [String] = []
        func save(_ plot: LinePlot, _ name: String, scatter: [LinePlot.Scatter] = []) throws {
            try plot.writePNG(to: folder.appendingPathComponent(name + ".png").path, overlaying: scatter)
            try plot.writeSVG(to: folder.appendingPathComponent(name + ".svg").path, overlaying: scatter)
            written += [name + ".png", name + ".svg"]
        }

        // Learning curves: query MSE against gradient steps, one figure per K.
        for shots in config.evaluation.shots {
            var plot = LinePlot(title: "Sinusoid, K = \(shots): MSE after fine-tuning", xLabel: "number of gradient steps",
                                yLabel: "mean squared error (\(report.tasks) tasks, 95% CI)")
            for m in report.methods {
                guard let c = m.mse[String(shots)] else { continue }
                // A diverged mean (∞, NaN) is drawn off the top of the chart, where it is clipped.
                func shown(_ v: Double) -> Double { v.isFinite ? min(v, 100) : 100 }
                plot.add(.init(label: m.method, x: c.mean.indices.map(Double.init), y: c.mean.map(shown),
                               lower: zip(c.mean, c.ci95).map { shown($0 - $1) }, upper: zip(c.mean, c.ci95).map { shown($0 + $1) },
                               dashed: m.algorithm == .oracle, markers: true))
            }
            // Fixed like the paper's Figure 3, so a diverging method cannot flatten the others.
            let finite = plot.series.flatMap(\.y).filter { $0.isFinite && $0 < 10 }
            plot.yRange = 0...max(0.5, min(4, (finite.max() ?? 4) * 1.1))
            try save(plot, "curve-k\(shots)")
        }

        // Qualitative fits for MAML and pretrained: K = 5 and 10, and K = 5 on x ∈ [0, 5] only.
        var rng = Xoshiro256(seed: config.evaluation.seed &+ 17)
        var task = config.family.sample(using: &rng)
        while task.amplitude < 2.5 { task = config.family.sample(using: &rng) }
        let cases: [(String, Int, ClosedRange<Float>)] = [
            ("k5", 5, config.family.input), ("k10", 10, config.family.input), ("k5-half", 5, 0...config.family.input.upperBound),
        ]
        let supports = cases.map { SinusoidTask.inputs($0.1, in: $0.2, using: &rng) }
        for policy in policies where policy.algorithm == .maml || policy.algorithm == .pretrained {
            let method = report.methods.first { $0.method == policy.name }
            for (c, supportX) in zip(cases, supports) {
                let alpha = method?.stepSize[String(c.1)] ?? config.evaluation.stepSize
                let fit = SinusoidExperiment.fit(config, policy: policy, task: task, supportX: supportX, steps: [0, 1, 10], stepSize: alpha)
                let half = c.2.lowerBound > config.family.input.lowerBound ? ", points on x > 0 only" : ""
                var plot = LinePlot(title: "\(policy.name), K = \(c.1)\(half)", xLabel: "x", yLabel: "y")
                let grid = fit.grid.map(Double.init)
                plot.add(.init(label: "ground truth", x: grid, y: fit.truth.map(Double.init), color: RGB(200, 30, 30)))
                plot.add(.init(label: "pre-update", x: grid, y: fit.predictions[0].map(Double.init), color: RGB(90, 170, 60), dashed: true))
                plot.add(.init(label: "1 grad step", x: grid, y: fit.predictions[1].map(Double.init), color: RGB(70, 130, 220), dashed: true))
                plot.add(.init(label: "10 grad steps", x: grid, y: fit.predictions[2].map(Double.init), color: RGB(0, 50, 150)))
                plot.add(.init(label: "K points used for the gradient", x: [Double(fit.supportX[0])], y: [Double(fit.supportY[0])],
                               color: RGB(120, 60, 160)))
                plot.yRange = -6...6
                plot.xRange = Double(config.input[0])...Double(config.input[1])
                try save(plot, "fit-\(policy.name)-\(c.0)",
                         scatter: [.init(x: fit.supportX.map(Double.init), y: fit.supportY.map(Double.init), color: RGB(120, 60, 160))])
            }
        }

        // The adaptation-gradient norm ‖∇θ L(θ)‖ over meta-training, from each run's progress.
        var norm = LinePlot(title: "Adaptation-gradient norm during meta-training", xLabel: "meta-iteration",
                            yLabel: "norm of grad L_support(theta), mean of 500 iterations")
        for policy in policies {
            let candidates = [policyFolder.appendingPathComponent("\(policy.name).progress.csv"),
                              URL(fileURLWithPath: "runs/sinusoid-\(policy.name)/progress.csv")]
            guard let url = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }),
                  let series = smoothedColumn(url, column: "adaptation_gradient_norm", window: 500) else { continue }
            norm.add(.init(label: policy.name, x: series.x, y: series.y, dashed: policy.algorithm == .oracle))
        }
        if !norm.series.isEmpty { try save(norm, "gradient-norm") }
        return written
    }

    /// Means of one column of a progress.csv over windows of `window` iterations, against the window's end.
    static func smoothedColumn(_ url: URL, column: String, window: Int) -> (x: [Double], y: [Double])? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",").map(String.init), let j = header.firstIndex(of: column),
              let k = header.firstIndex(of: "iteration") else { return nil }
        var sums: [Int: (Double, Int)] = [:]
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",")
            guard fields.count > max(j, k), let it = Int(fields[k]), let v = Double(fields[j]), v.isFinite else { continue }
            let bucket = (it - 1) / window
            let (s, n) = sums[bucket] ?? (0, 0)
            sums[bucket] = (s + v, n + 1)
        }
        let buckets = sums.keys.sorted()
        return buckets.isEmpty ? nil : (buckets.map { Double(($0 + 1) * window) }, buckets.map { sums[$0]!.0 / Double(sums[$0]!.1) })
    }
}
