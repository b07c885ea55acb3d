/// The test-time step size of a baseline (or a ratio of later steps to the first), chosen on
/// validation tasks of their own, never the test tasks: the best score among the candidates.
public enum StepSizeSweep {
    /// The candidate with the best finite score (`higherIsBetter`: returns; else losses), with
    /// every candidate's score; the first candidate if none scores finitely.
    public static func best<C>(_ candidates: [C], higherIsBetter: Bool,
                               score: (C) throws -> Double) rethrows -> (best: C, scores: [Double]) {
        var scores: [Double] = []
        var best = 0
        for (i, candidate) in candidates.enumerated() {
            let s = try score(candidate)
            scores.append(s)
            let current = scores[best]
            if s.isFinite && (!current.isFinite || (higherIsBetter ? s > current : s < current)) { best = i }
        }
        return (candidates[best], scores)
    }
}
