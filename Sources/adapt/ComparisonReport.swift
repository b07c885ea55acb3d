import Experiments
import Foundation
import Envs
import RL
import Graphics

/// Output of `adapt eval --experiment`: a table, JSON, and the paper's figures (return against
/// gradient steps for every method, Figure 5; for navigation, trajectories before and after
/// adaptation, Figure 4 bottom).
struct ComparisonReport: Codable {
    let experiment: String
    let tasks: Int
    let seed: UInt64
    let episodesPerTask: Int
    let methods: [MethodEvaluation]
    /// Each method that learns to adapt (MAML, CAVIA, RL²) minus each method after it on the same tasks,
    /// after each number of steps (optional: comparison.json files written before it was added
    /// have none).
    let pairedDifferences: [PairedDifference]?

    /// A paired comparison: mean over tasks of `of`'s return minus `method`'s, with its 95% CI.
    struct PairedDifference: Codable {
        /// The method ahead when the difference is positive (absent in files from before CAVIA: MAML).
        var of: Method? = nil
        let method: Method
        let meanDifference: [Double]
        let ci95: [Double]

        var minuend: Method { of ?? .maml }
    }

    init(_ comparison: ExperimentComparison) {
        experiment = comparison.experiment
        tasks = comparison.settings.taskCount
        seed = comparison.settings.seed
        episodesPerTask = comparison.settings.episodesPerTask
        let methods = comparison.methods
        self.methods = methods
        let learners = methods.filter { $0.method.learnsToAdapt }
        pairedDifferences = learners.isEmpty ? nil : learners.flatMap { first in
            methods.drop { $0.method != first.method }.dropFirst().compactMap { other in
                Self.comparable(first.curve, other.curve).minus(other.curve).map {
                    PairedDifference(of: first.method == .maml ? nil : first.method, method: other.method, meanDifference: $0.meanReturn, ci95: $0.ci95)
                }
            }
        }
    }

    /// `curve` cut to as many points as `other`'s where both have several: RL²'s n-th episode is
    /// paired with n − 1 gradient steps, and nothing is paired with RL²'s last episode twice. An
    /// unadapted other (one point, the oracle) is compared with every point.
    static func comparable(_ curve: AdaptationCurve, _ other: AdaptationCurve) -> AdaptationCurve {
        other.steps.count > 1 && other.steps.count < curve.steps.count ? curve.prefix(other.steps.count) : curve
    }

    /// A Markdown table: mean ± 95% CI after each number of steps (RL²: in each episode of a trial,
    /// which the line under the table says).
    var table: String {
        let steps = methods.map(\.curve.steps.count).max() ?? 0
        var lines = ["| method | α | " + (0..<steps).map { "\($0) step\($0 == 1 ? "" : "s")" }.joined(separator: " | ") + " |",
                     "|---|---|" + String(repeating: "---|", count: steps)]
        for m in methods {
            let cells = (0..<steps).map { s in
                s < m.curve.steps.count ? String(format: "%.1f ± %.1f", m.curve.meanReturn[s], m.curve.ci95[s]) : "—"
            }
            let alpha = m.curve.steps.count > 1 && !m.stepSizes.isEmpty ? m.stepSizes.map { String(format: "%g", $0) }.joined(separator: ", ") : "—"
            lines.append("| \(m.method.rawValue) | \(alpha) | " + cells.joined(separator: " | ") + " |")
        }
        if methods.contains(where: { $0.method == .rl2 }) {
            lines += ["", "rl2 takes no gradient step: its columns are the 1st, 2nd, … episode of a trial, each after the trial's earlier episodes."]
        }
        return lines.joined(separator: "\n")
    }

    /// A Markdown table of the paired differences: a meta-trained method's return minus another's
    /// on the same tasks, mean ± 95% CI (positive: the first is better).
    var differenceTable: String {
        guard let differences = pairedDifferences, let first = differences.first else { return "" }
        let steps = first.meanDifference.count
        var lines = ["| paired, same tasks | " + (0..<steps).map { "\($0) step\($0 == 1 ? "" : "s")" }.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: steps)]
        for d in differences {
            let cells = zip(d.meanDifference, d.ci95).map { String(format: "%+.1f ± %.1f", $0, $1) }
            lines.append("| \(d.minuend.rawValue) − \(d.method.rawValue) | " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Average return against gradient steps, one line per method with its 95% CI (Figure 5).
    var returnsPlot: LinePlot {
        var plot = LinePlot(title: "\(experiment), \(tasks) tasks",
                            xLabel: "gradient steps", yLabel: "average return")
        plot.integerXTicks = true
        let maxStep = Double(methods.map { $0.curve.steps.last ?? 0 }.max() ?? 0)
        for m in methods where m.method != .rl2 {
            let c = m.curve
            // The oracle is not adapted: a flat line across the plot.
            let x = c.steps.count == 1 ? [0, maxStep] : c.steps.map(Double.init)
            let y = c.steps.count == 1 ? [c.meanReturn[0], c.meanReturn[0]] : c.meanReturn
            let ci = c.steps.count == 1 ? [c.ci95[0], c.ci95[0]] : c.ci95
            plot.add(.init(label: m.method.rawValue, x: x, y: y, lower: zip(y, ci).map { $0 - $1 }, upper: zip(y, ci).map { $0 + $1 },
                           dashed: !m.method.adaptsAtTest, markers: c.steps.count > 1))
        }
        return plot
    }

    /// Average return against the episodes a method has spent in the task before the measured
    /// one: K (`episodesPerTask`) per gradient step, one per earlier episode of an RL² trial. On a
    /// log scale (log₁₀(1 + episodes)), so that RL²'s single episodes and MAML's batches of K both
    /// show; nil without RL².
    var experiencePlot: LinePlot? {
        guard methods.contains(where: { $0.method == .rl2 }) else { return nil }
        var plot = LinePlot(title: "\(experiment), \(tasks) tasks, by experience",
                            xLabel: "log10(1 + episodes in the task), \(episodesPerTask) per gradient step", yLabel: "average return")
        let episodes = { (m: MethodEvaluation, point: Int) in Double(m.method == .rl2 ? point : point * self.episodesPerTask) }
        let last = methods.map { episodes($0, $0.curve.steps.count - 1) }.max() ?? 1
        for m in methods {
            let c = m.curve
            let x = c.steps.count == 1 ? [0, last] : c.steps.map { episodes(m, $0) }
            let y = c.steps.count == 1 ? [c.meanReturn[0], c.meanReturn[0]] : c.meanReturn
            let ci = c.steps.count == 1 ? [c.ci95[0], c.ci95[0]] : c.ci95
            plot.add(.init(label: m.method.rawValue, x: x.map { log10(1 + $0) }, y: y, lower: zip(y, ci).map { $0 - $1 },
                           upper: zip(y, ci).map { $0 + $1 }, dashed: m.method == .oracle, markers: c.steps.count > 1))
        }
        return plot
    }

    /// returns.png/.svg (and trajectories-*.png/.svg for navigation) in `folder`, and
    /// experience.png/.svg when RL² is compared.
    func writePlots(_ comparison: ExperimentComparison, to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let plot = returnsPlot
        var written = [folder.appendingPathComponent("returns.png").path, folder.appendingPathComponent("returns.svg").path]
        try plot.writePNG(to: written[0])
        try plot.writeSVG(to: written[1])
        if let experience = experiencePlot {
            let png = folder.appendingPathComponent("experience.png").path, svg = folder.appendingPathComponent("experience.svg").path
            try experience.writePNG(to: png)
            try experience.writeSVG(to: svg)
            written += [png, svg]
        }
        if experiment.hasPrefix("navigation") {
            for (method, rollouts) in comparison.rollouts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                guard let rollout = rollouts.first, let checkpoint = comparison.checkpoints[method] else { continue }
                let trajectories = try Self.trajectoryPlot(rollout, checkpoint: checkpoint, title: "\(method.rawValue), mean actions")
                let png = folder.appendingPathComponent("trajectories-\(method.rawValue).png").path
                let svg = folder.appendingPathComponent("trajectories-\(method.rawValue).svg").path
                try PNG.write(trajectories.plot.canvas(overlaying: trajectories.goal), to: png)
                try trajectories.plot.svg(overlaying: trajectories.goal).write(toFile: svg, atomically: true, encoding: .utf8)
                written += [png, svg]
            }
        }
        return written
    }

    /// Top-down paths of the point acting with its mean action μ(s), before adaptation and after
    /// each step (Figure 4, bottom); the goal as a red dot.
    /// The env is the checkpoint's own (its action mapping included).
    static func trajectoryPlot(_ rollout: TaskRollout, checkpoint: PolicyCheckpoint, title: String) throws -> (plot: LinePlot, goal: [LinePlot.Scatter]) {
        var plot = LinePlot(title: title, xLabel: "x", yLabel: "y", width: 480, height: 480)
        plot.xRange = -0.6...0.6
        plot.yRange = -0.6...0.6
        for (step, episode) in try rollout.greedyEpisodes(checkpoint).enumerated() {
            let path = episode.observations
            plot.add(.init(label: step == 0 ? "pre-update" : "\(step) grad step\(step == 1 ? "" : "s")",
                           x: path.map { Double($0[0]) }, y: path.map { Double($0[1]) }, dashed: step == 0))
        }
        guard case let .goalPosition(gx, gy) = rollout.task else { return (plot, []) }
        return (plot, [LinePlot.Scatter(x: [gx], y: [gy], color: RGB(200, 30, 30), radius: 6)])
    }
}
