/// Summaries of a metric over held-out tasks, the same in reinforcement and supervised learning:
/// the mean and the half-width of its 95% confidence interval (1.96 standard errors, sample
/// variance), and paired differences of two methods on the same tasks.
public enum Statistics {
    /// Mean and 95% CI half-width of `values` (0 for fewer than two values).
    public static func meanAndInterval(_ values: [Double]) -> (mean: Double, ci95: Double) {
        let n = Double(values.count)
        guard n > 0 else { return (0, 0) }
        let mean = values.reduce(0, +) / n
        guard n > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, 1.96 * (variance / n).squareRoot())
    }

    /// Task by task `a − b` after each step ([task][step]); a method with one column (unadapted,
    /// like the oracle) is compared with every step of the other. Pairing cancels how hard each
    /// task is for every method, so its interval says whether one method is better on the same tasks.
    public static func pairedDifferences(_ a: [[Double]], _ b: [[Double]]) -> [[Double]]? {
        guard a.count == b.count else { return nil }
        return zip(a, b).map { mine, theirs in mine.indices.map { s in mine[s] - theirs[Swift.min(s, theirs.count - 1)] } }
    }
}
