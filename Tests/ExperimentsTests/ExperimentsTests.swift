import Foundation
import Testing
import Experiments

/// What every experiment shares: the statistics of an evaluation, the step-size sweep and the
/// progress log, each against a hand-worked case.
@Suite struct ExperimentsTests {
    @Test func meanAndIntervalByHand() {
        // Values 1, 2, 3, 6: mean 3, sample variance (4 + 1 + 0 + 9)/3 = 14/3, SE = √(14/12).
        let (mean, ci) = Statistics.meanAndInterval([1, 2, 3, 6])
        #expect(mean == 3 && abs(ci - 1.96 * (14.0 / 12).squareRoot()) < 1e-12)
        #expect(Statistics.meanAndInterval([5]) == (5, 0) && Statistics.meanAndInterval([]) == (0, 0))
    }

    @Test func pairedDifferencesCompareStepByStepAndAnUnadaptedColumnWithEveryStep() {
        #expect(Statistics.pairedDifferences([[1, 4], [2, 8]], [[0, 1], [1, 1]]) == [[1, 3], [1, 7]])
        #expect(Statistics.pairedDifferences([[1, 4]], [[3]]) == [[-2, 1]])
        #expect(Statistics.pairedDifferences([[1]], [[1], [2]]) == nil)
    }

    @Test func sweepPicksTheBestFiniteScore() {
        let returns = StepSizeSweep.best([0.1, 0.5, 1.0], higherIsBetter: true) { [0.1: -5.0, 0.5: -2.0, 1.0: .nan][$0]! }
        #expect(returns.best == 0.5 && returns.scores.count == 3)
        let losses = StepSizeSweep.best([0.1, 0.5, 1.0], higherIsBetter: false) { [0.1: 3.0, 0.5: .infinity, 1.0: 1.0][$0]! }
        #expect(losses.best == 1.0)
        #expect(StepSizeSweep.best(["a", "b"], higherIsBetter: true) { _ in .nan }.best == "a")
    }

    @Test func progressLogAppendsAndTruncatesForAResume() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        let log = ProgressLog(url: url, columns: ["iteration", "loss", "wall_s", "note"])
        try log.start()
        try log.append([["1", "0.5", "1.5", "a,b"], ["2", "0.4", "3.0", ""], ["3", "0.3", "4.5", ""]])
        #expect(try String(contentsOf: url, encoding: .utf8) == "iteration,loss,wall_s,note\n1,0.5,1.5,a;b\n2,0.4,3.0,\n3,0.3,4.5,\n")
        #expect(try log.truncate(after: 2) == 3.0)
        #expect(try String(contentsOf: url, encoding: .utf8) == "iteration,loss,wall_s,note\n1,0.5,1.5,a;b\n2,0.4,3.0,\n")
    }
}
