import Experiments
import Foundation
import NN
import Parallel

/// The few-shot benchmark's comparison: every method's test accuracy at N-way K-shot settings
/// (5/20-way, 1/5-shot), on the same seeded test episodes for all (paired), with 95% intervals,
/// its training time and its meta-test time per task.
public struct FewShotTable: Sendable, Codable {
    public struct Setting: Sendable, Codable, Hashable {
        public var ways: Int
        public var shots: Int
        public init(ways: Int, shots: Int) { self.ways = ways; self.shots = shots }
        public var label: String { "\(ways)-way \(shots)-shot" }
        /// The table's columns, as the papers report Omniglot.
        public static let standard = [Setting(ways: 5, shots: 1), Setting(ways: 5, shots: 5), Setting(ways: 20, shots: 1), Setting(ways: 20, shots: 5)]
    }

    /// One method's result at one setting.
    public struct Cell: Sendable, Codable {
        public var accuracy: Double
        public var ci95: Double
        /// Mean wall-clock seconds to adapt to one task and classify its queries, on one core.
        public var testSecondsPerTask: Double
    }

    /// One checkpoint of a method: the ways it was trained at and how long that took.
    public struct Training: Sendable, Codable {
        public var ways: Int
        public var seconds: Double?
    }

    public struct Row: Sendable, Codable {
        public var method: String
        /// Its checkpoints (none for what trains nothing, e.g. the raw-pixel baseline).
        public var trainings: [Training]
        /// One per setting; nil where none of its models classifies that many ways (a linear head
        /// of another size).
        public var cells: [Cell?]
    }

    /// A classifier to tabulate: its accuracy on one episode, and which settings it can classify.
    /// Entries of the same method (a 5-way and a 20-way checkpoint) share a row: each setting is
    /// classified by the checkpoint trained at its ways, else by one that classifies any ways.
    public struct Entry: Sendable {
        public var method: String
        public var trainedWays: Int?
        /// Whether its model classifies any number of ways (metric learners, raw pixels).
        public var anyWays: Bool
        public var trainingSeconds: Double?
        public var accuracy: @Sendable (FewShotTask) -> Float

        public init(method: String, trainedWays: Int?, anyWays: Bool, trainingSeconds: Double?, accuracy: @escaping @Sendable (FewShotTask) -> Float) {
            self.method = method
            self.trainedWays = trainedWays
            self.anyWays = anyWays
            self.trainingSeconds = trainingSeconds
            self.accuracy = accuracy
        }
    }

    public var settings: [Setting]
    public var episodes: Int
    public var queryShots: Int
    public var rows: [Row]

    /// Evaluates every entry on `episodes` test episodes of each setting, drawn from `sampler`
    /// with `seed` (the same episodes for every entry), over `workers` threads.
    public static func evaluate(_ entries: [Entry], settings: [Setting] = Setting.standard, sampler: EpisodeSampler,
                                episodes: Int, queryShots: Int, seed: UInt64, workers: Int,
                                progress: (String) -> Void = { _ in }) -> FewShotTable {
        let methods = entries.map(\.method).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var cells = [[Cell?]](repeating: [Cell?](repeating: nil, count: settings.count), count: methods.count)
        for (s, setting) in settings.enumerated() {
            var rng = Xoshiro256(seed: seed &+ UInt64(s))
            let tasks = (0..<episodes).map { _ in sampler.sample(ways: setting.ways, shots: setting.shots, queryShots: queryShots, using: &rng) }
            for (m, method) in methods.enumerated() {
                let candidates = entries.filter { $0.method == method }
                guard let entry = candidates.first(where: { $0.trainedWays == setting.ways }) ?? candidates.first(where: \.anyWays) else { continue }
                let results = parallelMap(tasks.count, workers: workers) { i, _ in
                    let start = DispatchTime.now().uptimeNanoseconds
                    let accuracy = entry.accuracy(tasks[i])
                    return (Double(accuracy), Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                let (mean, ci95) = Statistics.meanAndInterval(results.map(\.0))
                cells[m][s] = Cell(accuracy: mean, ci95: ci95, testSecondsPerTask: results.map(\.1).reduce(0, +) / Double(results.count))
                progress(String(format: "%@ %@: %.2f ± %.2f%%", setting.label, method, 100 * mean, 100 * ci95))
            }
        }
        let rows = methods.enumerated().map { m, method in
            let trainings = entries.filter { $0.method == method }.compactMap { entry in entry.trainedWays.map { Training(ways: $0, seconds: entry.trainingSeconds) } }
            return Row(method: method, trainings: trainings.sorted { $0.ways < $1.ways }, cells: cells[m])
        }
        return FewShotTable(settings: settings, episodes: episodes, queryShots: queryShots, rows: rows)
    }

    /// The table as Markdown: accuracy ± 95% interval (percent) per setting, then the times.
    public var markdown: String {
        var lines = ["| method | trained at | " + settings.map(\.label).joined(separator: " | ") + " | training | meta-test per task |",
                     "|---|---|" + String(repeating: "---|", count: settings.count) + "---|---|"]
        for row in rows {
            let cells = row.cells.map { $0.map { String(format: "%.1f ± %.1f", 100 * $0.accuracy, 100 * $0.ci95) } ?? "—" }
            let trainedAt = row.trainings.isEmpty ? "—" : row.trainings.map { "\($0.ways)-way" }.joined(separator: ", ")
            let minutes = row.trainings.map { $0.seconds.map { String(format: "%.1f", $0 / 60) } ?? "?" }
            let training = minutes.isEmpty ? "—" : minutes.joined(separator: " + ") + " min"
            let times = row.cells.compactMap { $0?.testSecondsPerTask }
            let format = (times.max() ?? 0) < 0.01 ? "%.1f–%.1f ms" : "%.0f–%.0f ms"  // sub-millisecond times keep a digit
            let test = times.isEmpty ? "—" : String(format: format, 1000 * times.min()!, 1000 * times.max()!)
            lines.append("| \(row.method) | \(trainedAt) | " + cells.joined(separator: " | ") + " | \(training) | \(test) |")
        }
        return lines.joined(separator: "\n")
    }
}
