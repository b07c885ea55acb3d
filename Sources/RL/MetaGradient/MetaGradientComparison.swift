import Experiments
import Foundation

/// Meta-gradient RL against the same learner at fixed (γ, λ): the runs of one env and task found
/// in a folder of run folders, grouped by setting, each setting's seeds summarised.
public struct MetaGradientComparison: Sendable, Codable {
    /// One setting's runs: learned η, or a fixed (γ, λ).
    public struct Setting: Sendable, Codable {
        public var label: String
        public var learned: Bool
        public var seeds: [UInt64]
        /// Mean over seeds, per iteration: cumulative env steps, return, γ and λ.
        public var envSteps: [Double]
        public var meanReturn: [Double]
        public var returnCI95: [Double]
        public var gamma: [Double]
        public var lambda: [Double]
        /// Each seed's final return (mean over the last `finalFraction` of its iterations).
        public var finalReturns: [Double]
        public var finalMean: Double
        public var finalCI95: Double
    }

    public var env: String
    public var task: String
    public var iterations: Int
    public var settings: [Setting]
    /// Learned minus each fixed setting's final return, seed by seed (same seeds only).
    public var pairedDifferences: [String: [Double]]

    /// The share of iterations at the end whose returns make a run's final figure.
    public static let finalFraction = 0.1

    /// Runs under `root` whose config.yaml is a meta-gradient config of `config`'s env and task,
    /// cut to the iterations every run has reached.
    public static func load(root: URL, like config: MetaGradientConfig) throws -> MetaGradientComparison {
        var runs: [(MetaGradientConfig, [[Double]])] = []
        let folders = (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? []
        for folder in folders.sorted(by: { $0.path < $1.path }) {
            let configURL = folder.appendingPathComponent("config.yaml"), progressURL = folder.appendingPathComponent("progress.csv")
            guard let run = try? MetaGradientConfig.load(configURL), run.env == config.env, run.task == config.task,
                  let text = try? String(contentsOf: progressURL, encoding: .utf8) else { continue }
            let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan } }
            if !rows.isEmpty { runs.append((run, rows)) }
        }
        guard let shortest = runs.map(\.1.count).min() else {
            throw MetaGradientComparisonError(message: "no meta-gradient runs of \(config.env) task \(config.task) under \(root.path)")
        }
        // Columns of progress.csv (MetaGradientTrainer.progressColumns).
        let (returnColumn, gammaColumn, lambdaColumn, stepsColumn) = (1, 2, 3, 9)
        var grouped: [String: [(MetaGradientConfig, [[Double]])]] = [:]
        for run in runs { grouped[label(run.0), default: []].append((run.0, Array(run.1.prefix(shortest)))) }
        let settings = grouped.map { label, members -> Setting in
            let column = { (c: Int) in (0..<shortest).map { i in members.map { $0.1[i][c] } } }
            let returns = column(returnColumn).map(Statistics.meanAndStudentInterval)
            var steps = 0.0
            let envSteps = column(stepsColumn).map { steps += $0.reduce(0, +) / Double($0.count); return steps }
            let tail = max(1, Int(Double(shortest) * finalFraction))
            let finals = members.map { $0.1.suffix(tail).map { $0[returnColumn] }.reduce(0, +) / Double(tail) }
            let summary = Statistics.meanAndStudentInterval(finals)
            let mean = { (values: [[Double]]) in values.map { $0.reduce(0, +) / Double($0.count) } }
            return Setting(label: label, learned: members[0].0.learnReturn, seeds: members.map(\.0.seed), envSteps: envSteps,
                           meanReturn: returns.map(\.mean), returnCI95: returns.map(\.ci95), gamma: mean(column(gammaColumn)),
                           lambda: mean(column(lambdaColumn)), finalReturns: finals, finalMean: summary.mean, finalCI95: summary.ci95)
        }.sorted { ($0.learned ? 0 : 1, $0.label) < ($1.learned ? 0 : 1, $1.label) }
        var differences: [String: [Double]] = [:]
        if let learned = settings.first(where: \.learned) {
            for fixed in settings where !fixed.learned {
                let common = learned.seeds.filter(fixed.seeds.contains)
                differences[fixed.label] = common.map { seed in
                    learned.finalReturns[learned.seeds.firstIndex(of: seed)!] - fixed.finalReturns[fixed.seeds.firstIndex(of: seed)!]
                }
            }
        }
        return MetaGradientComparison(env: config.env, task: config.task, iterations: shortest, settings: settings, pairedDifferences: differences)
    }

    /// "learned η" or "fixed γ = 0.99, λ = 0.95".
    static func label(_ config: MetaGradientConfig) -> String {
        config.learnReturn ? "learned η" : "fixed γ = \(config.gamma), λ = \(config.lambda)"
    }
}

public struct MetaGradientComparisonError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
