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

    /// Mean and 95% CI half-width with Student's t quantile for n − 1 degrees of freedom: for a
    /// handful of seeds, where 1.96 standard errors would claim far more than the data holds.
    public static func meanAndStudentInterval(_ values: [Double]) -> (mean: Double, ci95: Double) {
        let (mean, normal) = meanAndInterval(values)
        let degrees = values.count - 1
        guard degrees >= 1 else { return (mean, 0) }
        // Two-sided 97.5% quantiles of t for 1…30 degrees of freedom; beyond, the normal's.
        let quantiles: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
                                   2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return (mean, normal / 1.96 * (degrees <= 30 ? quantiles[degrees - 1] : 1.96))
    }

    /// Task by task `a − b` after each step ([task][step]); a method with one column (unadapted,
    /// like the oracle) is compared with every step of the other. Pairing cancels how hard each
    /// task is for every method, so its interval says whether one method is better on the same tasks.
    public static func pairedDifferences(_ a: [[Double]], _ b: [[Double]]) -> [[Double]]? {
        guard a.count == b.count else { return nil }
        return zip(a, b).map { mine, theirs in mine.indices.map { s in mine[s] - theirs[Swift.min(s, theirs.count - 1)] } }
    }
}
