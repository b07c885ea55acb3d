import Experiments
import Foundation
import Testing
@testable import MetaLearning

/// The benchmark table on a real image folder: which cells a model can fill, paired and
/// reproducible episodes whatever the thread count, and its Markdown.
@Suite struct FewShotTableTests {
    @Test func fillsTheCellsEachModelCanClassify() throws {
        var (config, _, test) = try FewShotClassificationTests.smallExperiment()
        config.ways = 2
        let settings = [FewShotTable.Setting(ways: 2, shots: 1), FewShotTable.Setting(ways: 3, shots: 2)]
        let entries = [Method.protonet, .maml].map { method in
            OmniglotExperiment.tableEntry(config, algorithm: method, parameters: OmniglotExperiment.initialParameters(config, algorithm: method),
                                          stepSizes: nil, trainingSeconds: 12)
        } + [OmniglotExperiment.pixelCentroidEntry]
        let table = FewShotTable.evaluate(entries, settings: settings, sampler: test, episodes: 30, queryShots: 2, seed: 4, workers: 2)
        #expect(table.rows.map(\.method) == ["protonet", "maml", "pixels (nearest centroid)"])
        #expect(table.rows.map { $0.cells.map { $0 != nil } } == [[true, true], [true, false], [true, true]], "a 2-way head has no 3-way cell")
        for cell in table.rows.flatMap(\.cells).compactMap({ $0 }) {
            #expect((0...1).contains(cell.accuracy) && cell.ci95 > 0 && cell.testSecondsPerTask > 0)
        }
        // The random strokes' classes are far apart in pixels: the raw centroid beats chance.
        #expect(table.rows[2].cells[0]!.accuracy > 0.7, "\(table.rows[2].cells[0]!.accuracy)")
        let serial = FewShotTable.evaluate(entries, settings: settings, sampler: test, episodes: 30, queryShots: 2, seed: 4, workers: 1)
        #expect(serial.rows.map { $0.cells.map { $0?.accuracy } } == table.rows.map { $0.cells.map { $0?.accuracy } }, "threads change nothing")
        let markdown = table.markdown
        #expect(markdown.contains("| maml | 2-way |") && markdown.contains("| — |") && markdown.contains("0.2 min"), "\(markdown)")

        // A 3-way checkpoint of the same method joins MAML's row and fills the 3-way column.
        var wider = config
        wider.ways = 3
        let threeWay = OmniglotExperiment.tableEntry(wider, algorithm: .maml, parameters: OmniglotExperiment.initialParameters(wider, algorithm: .maml),
                                                     stepSizes: nil, trainingSeconds: 30)
        let merged = FewShotTable.evaluate(entries + [threeWay], settings: settings, sampler: test, episodes: 30, queryShots: 2, seed: 4, workers: 2)
        #expect(merged.rows.map(\.method) == table.rows.map(\.method))
        #expect(merged.rows[1].cells.map { $0 != nil } == [true, true] && merged.rows[1].trainings.map(\.ways) == [2, 3])
        #expect(merged.rows[1].cells[0]?.accuracy == table.rows[1].cells[0]?.accuracy, "the 2-way cell is still the 2-way checkpoint's")
        #expect(merged.markdown.contains("| maml | 2-way, 3-way |") && merged.markdown.contains("0.2 + 0.5 min"), "\(merged.markdown)")
    }

    @Test func refusesTestEpisodesLargerThanAClass() throws {
        var (config, _, _) = try FewShotClassificationTests.smallExperiment()
        config.evaluation.queryShots = 6
        let root = try FewShotClassificationTests.makeDataset(alphabets: 2, characters: 8, examples: 6, side: 28)
        defer { try? FileManager.default.removeItem(at: root) }
        let images = try ImageFolder.load(root, size: 14)
        let naming = { (error: any Error) in "\(error)".contains("evaluation.queryShots") }
        #expect(performing: { try OmniglotExperiment.samplers(config, folder: images) }, throws: naming)
        config.evaluation.queryShots = 4
        #expect(performing: { try OmniglotExperiment.samplers(config, folder: images, testShots: [1, 5]) }, throws: naming)
        config.evaluation.queryShots = 1
        _ = try OmniglotExperiment.samplers(config, folder: images, testShots: [1, 5])
    }
}
