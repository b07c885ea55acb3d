import Experiments
import Foundation
import NN

/// The held-out comparison (Andrychowicz et al. 2016, Figures 2 and 4–5): the learned optimizer
/// against SGD, RMSprop and Adam on test problems never seen in meta-training, every baseline at
/// the learning rate of the grid that did best on separate validation problems. Losses are
/// mean ± 95% interval over runs (Student t) at every step, up to `evaluation.steps` (beyond the training
/// horizon, where the paper's Figure 5 looks too). A run that diverges (non-finite loss) is
/// counted, not averaged: from then on its method's mean is left out (null) at those steps.
public struct Comparison: Codable, Sendable {
    public struct Summary: Codable, Sendable {
        /// Mean and 95% half-width over the finite runs; nil when a run diverged at this step.
        public var mean: Double?
        public var ci95: Double?
        /// The median run (robust to the few ill-conditioned problems that dominate a mean).
        public var median: Double?
        public var diverged: Int
    }

    /// Summaries at every step, stored as columns of numbers rounded to 5 significant digits
    /// (a JSON file of a few hundred kilobytes rather than megabytes of objects).
    public struct Curve: Codable, Sendable {
        public var mean: [Double?]
        public var ci95: [Double?]
        public var median: [Double?]
        public var diverged: [Int]

        init(_ summaries: [Summary]) {
            func rounded(_ x: Double?) -> Double? { x.map { Double(String(format: "%.5g", $0))! } }
            mean = summaries.map { rounded($0.mean) }
            ci95 = summaries.map { rounded($0.ci95) }
            median = summaries.map { rounded($0.median) }
            diverged = summaries.map(\.diverged)
        }

        public var count: Int { diverged.count }
        public subscript(step: Int) -> Summary {
            Summary(mean: mean[step], ci95: ci95[step], median: median[step], diverged: diverged[step])
        }
        public var summaries: [Summary] { (0..<count).map { self[$0] } }
    }

    public struct Method: Codable, Sendable {
        public var name: String
        /// The chosen learning rate (baselines), and the steps 1…tunedOver whose mean loss it minimised.
        public var learningRate: Float?
        public var tunedOver: Int?
        /// Validation score of every learning rate tried: mean loss over steps 1…horizon (nil: diverged).
        public var validation: [String: Double?]?
        /// Summaries at steps 0…steps.
        public var curve: Curve
        /// Each run's mean loss over steps 1…trainingHorizon (the meta-training objective), summarised.
        public var horizonMean: Summary
        public var wallSeconds: Double
    }

    /// Learned minus a baseline, run by run on the same problems: the loss at one step, or (step
    /// nil) the mean loss over steps 1…trainingHorizon.
    public struct Paired: Codable, Sendable {
        public var baseline: String
        public var step: Int?
        public var meanDifference: Double?
        public var ci95: Double?
        /// Runs where the learned optimizer's loss is lower.
        public var learnedLower: Int
        public var runs: Int
    }

    public var problem: String
    public var trainingHorizon: Int
    public var steps: Int
    public var horizons: [Int]
    public var testRuns: Int
    public var validationRuns: Int
    public var testSeed: UInt64
    public var validationSeed: UInt64
    public var learningRateGrid: [Float]
    public var tuning: String
    public var blasKernel: String
    public var optimizerFile: String
    public var methods: [Method]
    public var paired: [Paired]

    /// Runs the whole comparison. `log` hears progress lines.
    public static func run(_ config: LearnedOptimizerConfig, problems: ProblemSource, phi: Parameters, optimizerFile: String,
                           log: (String) -> Void = { _ in }) -> Comparison {
        let e = config.evaluation, horizon = config.unrollSteps
        let test = problems.evaluationProblems(.test), validation = problems.evaluationProblems(.validation)
        var methods: [Method] = []
        var perRun: [[[Float]]] = []  // per method: [run][step]
        func add(_ name: String, rate: Float?, scores: [String: Double?]?, tunedOver: Int?, _ body: (any Optimizee) -> [[Float]]) {
            let (losses, seconds) = timed { runs(test, body) }
            methods.append(Method(name: name, learningRate: rate, tunedOver: tunedOver, validation: scores, curve: Curve(summaries(losses)),
                                  horizonMean: summary(losses.map { meanOverHorizon([$0], horizon: horizon) }), wallSeconds: seconds))
            perRun.append(losses)
            log(String(format: "%@: %d runs × %d steps in %.1f s", name, losses.count, e.steps, seconds))
        }

        add(learnedName, rate: nil, scores: nil, tunedOver: nil) { config.optimizer.run($0, phi: phi, steps: e.steps) }
        for baseline in BaselineOptimizer.allCases {
            let tuning = tune(baseline, on: validation, rates: e.learningRates, horizon: horizon, steps: e.steps)
            log(String(format: "%@: learning rate %g for steps 1…%d, %g for steps 1…%d (validation runs)",
                       baseline.label, tuning.forHorizon, horizon, tuning.forAllSteps, e.steps))
            add(baseline.label, rate: tuning.forHorizon, scores: tuning.scores, tunedOver: horizon) {
                baseline.run($0, learningRate: tuning.forHorizon, steps: e.steps)
            }
            // Beyond the horizon the fair opponent is the baseline tuned for the longer run.
            if e.steps > horizon, tuning.forAllSteps != tuning.forHorizon {
                add("\(baseline.label) (lr for \(e.steps) steps)", rate: tuning.forAllSteps, scores: tuning.allStepScores, tunedOver: e.steps) {
                    baseline.run($0, learningRate: tuning.forAllSteps, steps: e.steps)
                }
            }
        }
        let paired = methods.indices.dropFirst().flatMap { m -> [Paired] in
            let mine = perRun[0], theirs = perRun[m]
            let overHorizon = pairedDifference(mine.map { meanOverHorizon([$0], horizon: horizon) },
                                               theirs.map { meanOverHorizon([$0], horizon: horizon) }, baseline: methods[m].name, step: nil)
            return [overHorizon] + e.horizons.map { step in
                pairedDifference(mine.map { Double($0[step]) }, theirs.map { Double($0[step]) }, baseline: methods[m].name, step: step)
            }
        }
        return Comparison(problem: config.problem.rawValue, trainingHorizon: horizon, steps: e.steps, horizons: e.horizons,
                          testRuns: perRun[0].count, validationRuns: validation.reduce(0) { $0 + $1.problemCount },
                          testSeed: e.testSeed, validationSeed: e.validationSeed, learningRateGrid: e.learningRates,
                          tuning: "each baseline's learning rate is the grid value with the lowest mean loss over steps 1…\(horizon) "
                              + "(and, as a second entry where it differs, over steps 1…\(e.steps)) on the validation runs "
                              + "(seed \(e.validationSeed)), never on the test runs",
                          blasKernel: BLAS.kernelDescription, optimizerFile: optimizerFile, methods: methods, paired: paired)
    }

    public static let learnedName = "LSTM (learned)"

    /// The grid's best learning rate for the training horizon and for the whole run, from one
    /// `steps`-step validation run per rate (the horizon's score reads its first steps).
    static func tune(_ baseline: BaselineOptimizer, on validation: [any Optimizee], rates: [Float], horizon: Int, steps: Int)
        -> (forHorizon: Float, forAllSteps: Float, scores: [String: Double?], allStepScores: [String: Double?]) {
        var scores: [String: Double?] = [:], allStepScores: [String: Double?] = [:]
        var best = (rates[0], Double.infinity), bestAll = (rates[0], Double.infinity)
        for rate in rates {
            let losses = runs(validation) { baseline.run($0, learningRate: rate, steps: max(steps, horizon)) }
            let score = meanOverHorizon(losses, horizon: horizon), all = meanOverHorizon(losses, horizon: steps)
            scores[String(format: "%g", rate)] = score.isFinite ? score : nil
            allStepScores[String(format: "%g", rate)] = all.isFinite ? all : nil
            if score < best.1 { best = (rate, score) }
            if all < bestAll.1 { bestAll = (rate, all) }
        }
        return (best.0, bestAll.0, scores, allStepScores)
    }

    /// Losses of every run, [run][step]: the steps × problems of each optimizee transposed and concatenated.
    static func runs(_ problems: [any Optimizee], _ body: (any Optimizee) -> [[Float]]) -> [[Float]] {
        problems.flatMap { problem -> [[Float]] in
            let losses = body(problem)
            return (0..<problem.problemCount).map { k in losses.map { $0[k] } }
        }
    }

    /// Mean over runs and steps 1…horizon; infinity if any run diverged.
    static func meanOverHorizon(_ losses: [[Float]], horizon: Int) -> Double {
        let values = losses.flatMap { $0[1...min(horizon, $0.count - 1)] }.map(Double.init)
        return values.allSatisfy(\.isFinite) ? values.reduce(0, +) / Double(values.count) : .infinity
    }

    static func summaries(_ losses: [[Float]]) -> [Summary] {
        (0..<(losses.first?.count ?? 0)).map { t in summary(losses.map { Double($0[t]) }) }
    }

    /// Mean ± 95% interval of the values, or nil (with the count) when any is not finite.
    static func summary(_ values: [Double]) -> Summary {
        let finite = values.filter(\.isFinite)
        guard finite.count == values.count else { return Summary(mean: nil, ci95: nil, median: nil, diverged: values.count - finite.count) }
        let (mean, ci) = Statistics.meanAndStudentInterval(finite)
        let sorted = finite.sorted(), n = sorted.count
        let median = n == 0 ? nil : (sorted[(n - 1) / 2] + sorted[n / 2]) / 2
        return mean.isFinite && ci.isFinite ? Summary(mean: mean, ci95: ci, median: median, diverged: 0)
                                            : Summary(mean: nil, ci95: nil, median: nil, diverged: 0)
    }

    static func pairedDifference(_ learned: [Double], _ baseline: [Double], baseline name: String, step: Int?) -> Paired {
        let pairs = Array(zip(learned, baseline))
        let lower = pairs.filter { $0.0 < $0.1 }.count
        let differences = pairs.map { $0.0 - $0.1 }
        guard differences.allSatisfy(\.isFinite) else {
            return Paired(baseline: name, step: step, meanDifference: nil, ci95: nil, learnedLower: lower, runs: pairs.count)
        }
        let (mean, ci) = Statistics.meanAndStudentInterval(differences)
        return Paired(baseline: name, step: step, meanDifference: mean, ci95: ci, learnedLower: lower, runs: pairs.count)
    }

    static func timed<T>(_ body: () -> T) -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
}
