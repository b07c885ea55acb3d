import Testing
import Foundation
@testable import RL
@testable import adapt

/// The command-line side of `adapt eval --experiment`: the paired-difference table, the
/// comparison.json round trip `--replot` relies on, and its refusal of a file it cannot read.
@Suite struct ComparisonReportTests {
    /// Two methods on three tasks whose difficulty differs by tens but whose difference is constant.
    func report() -> ComparisonReport {
        let maml = MethodEvaluation(method: .maml, env: "navigation-2d", stepSizes: [0.5, 0.125],
                                    curve: AdaptationCurve(perTask: [[-40, -10], [-60, -30], [-20, -5]]), sweep: nil, laterStepSweep: ["0.25": -5])
        let pretrained = MethodEvaluation(method: .pretrained, env: "navigation-2d", stepSizes: [0.1, 0.05],
                                          curve: AdaptationCurve(perTask: [[-41, -12], [-61, -32], [-21, -7]]), sweep: ["0.1": -8], laterStepSweep: nil)
        var settings = EvaluationSettings()
        settings.taskCount = 3
        return ComparisonReport(ExperimentComparison(experiment: "navigation-2d", settings: settings, methods: [maml, pretrained],
                                                     rollouts: [:], checkpoints: [:]))
    }

    @Test func pairedDifferencesAreMAMLMinusEachMethodOnTheSameTasks() throws {
        let r = report()
        let difference = try #require(r.pairedDifferences?.first)
        #expect(difference.method == .pretrained && difference.meanDifference == [1, 2] && difference.ci95 == [0, 0])
        #expect(r.differenceTable.contains("| maml − pretrained | +1.0 ± 0.0 | +2.0 ± 0.0 |"))
        #expect(r.table.contains("| maml | 0.5, 0.125 |"))
    }

    /// RL²'s n-th episode is paired with n − 1 gradient steps on the same tasks, each learner is
    /// paired with every method after it, and a file from before CAVIA (no "of") reads as MAML's.
    @Test func rl2IsPairedEpisodeByStep() throws {
        let tasks: [[Double]] = [[-40, -10, -5], [-60, -30, -25], [-20, -5, -4]]
        let maml = MethodEvaluation(method: .maml, env: "navigation-2d", stepSizes: [0.5, 0.25], curve: AdaptationCurve(perTask: tasks))
        let rl2 = MethodEvaluation(method: .rl2, env: "navigation-2d", stepSizes: [],
                                   curve: AdaptationCurve(perTask: [[-30, -8], [-50, -28], [-10, -3]]))
        let pretrained = MethodEvaluation(method: .pretrained, env: "navigation-2d", stepSizes: [0.1, 0.05],
                                          curve: AdaptationCurve(perTask: tasks.map { $0.map { $0 - 1 } }))
        var settings = EvaluationSettings()
        settings.taskCount = 3
        let r = ComparisonReport(ExperimentComparison(experiment: "navigation-2d", settings: settings, methods: [maml, rl2, pretrained],
                                                      rollouts: [:], checkpoints: [:]))
        let pairs = try #require(r.pairedDifferences).map { "\($0.minuend.rawValue)-\($0.method.rawValue)" }
        #expect(pairs == ["maml-rl2", "maml-pretrained", "rl2-pretrained"])
        let rl2MinusPretrained = try #require(r.pairedDifferences?.last)
        #expect(rl2MinusPretrained.meanDifference == [11, 3])  // episode 1 − 0 steps, episode 2 − 1 step
        #expect(r.pairedDifferences?.first?.meanDifference == [-10, -2])
        #expect(r.differenceTable.contains("| rl2 − pretrained | +11.0 ± 0.0 | +3.0 ± 0.0 |"))
        #expect(r.table.contains("| rl2 | — | -30.0") && r.table.contains("episode of a trial"))
        #expect(r.experiencePlot?.series.first { $0.label == "rl2" }?.x == [0, log10(2)])
        #expect(r.experiencePlot?.series.first { $0.label == "maml" }?.x == [0, log10(1 + 20), log10(1 + 40)])
        // Before CAVIA, every difference was MAML's and had no "of".
        let json = try MetaRLCommands.encodeJSON(r)
        #expect(!json.contains("\"of\" : \"maml\""))
        let decoded = try JSONDecoder().decode(ComparisonReport.self, from: Data(json.utf8))
        #expect(decoded.pairedDifferences?.map(\.minuend) == [.maml, .maml, .rl2])
    }

    /// What `--record-step-sizes` stores: each swept schedule in its method's checkpoint and the
    /// evaluation beside them, read back as the demo reads it.
    @Test func recordingStoresSchedulesAndTheEvaluation() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-record-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["maml", "pretrained"] {
            try FileManager.default.copyItem(at: repository.appendingPathComponent("policies/navigation-2d/\(name).safetensors"),
                                             to: folder.appendingPathComponent("\(name).safetensors"))
        }
        try MetaRLCommands.record(report(), in: folder)
        #expect(try PolicyCheckpoint.read(folder.appendingPathComponent("maml.safetensors")).testStepSizes == [0.5, 0.125])
        #expect(try PolicyCheckpoint.read(folder.appendingPathComponent("pretrained.safetensors")).testStepSizes == [0.1, 0.05])
        let evaluation = try JSONDecoder().decode(ComparisonReport.self, from: Data(contentsOf: folder.appendingPathComponent("evaluation.json")))
        #expect(evaluation.differenceTable == report().differenceTable)
    }

    @Test func replotReadsWhatEvalWrote() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-replot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let json = folder.appendingPathComponent("comparison.json")
        try MetaRLCommands.encodeJSON(report()).write(to: json, atomically: true, encoding: .utf8)
        let decoded = try JSONDecoder().decode(ComparisonReport.self, from: Data(contentsOf: json))
        #expect(decoded.differenceTable == report().differenceTable)
        try MetaRLCommands.replot(json.path, out: folder.path)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("returns.png").path))

        // A file written before paired differences existed still reads, with no difference table.
        var object = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        object["pairedDifferences"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: json)
        #expect(try JSONDecoder().decode(ComparisonReport.self, from: Data(contentsOf: json)).differenceTable == "")

        // A file that is not a comparison is refused, naming it.
        let bad = folder.appendingPathComponent("bad.json")
        try Data("{\"experiment\": 3}".utf8).write(to: bad)
        #expect { try MetaRLCommands.replot(bad.path, out: folder.path) } throws: { "\($0)".contains(bad.path) }
    }
}
