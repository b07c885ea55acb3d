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
        public var diverged: Int
    }

    public struct Method: Codable, Sendable {
        public var name: String
        /// The chosen learning rate (baselines).
        public var learningRate: Float?
        /// Validation score of every learning rate tried: mean loss over steps 1…horizon (nil: diverged).
        public var validation: [String: Double?]?
        /// Summaries at steps 0…steps.
        public var curve: [Summary]
        public var wallSeconds: Double
    }

    /// Learned minus a baseline, run by run on the same problems, at one step.
    public struct Paired: Codable, Sendable {
        public var baseline: String
        public var step: Int
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
        var perRun: [String: [[Float]]] = [:]  // [run][step]

        let (learned, learnedSeconds) = timed { runs(test) { config.optimizer.run($0, phi: phi, steps: e.steps) } }
        methods.append(Method(name: "LSTM (learned)", learningRate: nil, validation: nil, curve: summaries(learned), wallSeconds: learnedSeconds))
        perRun["LSTM (learned)"] = learned
        log(String(format: "learned optimizer: %d runs × %d steps in %.1f s", learned.count, e.steps, learnedSeconds))

        for baseline in BaselineOptimizer.allCases {
            var scores: [String: Double?] = [:]
            var best: (rate: Float, score: Double) = (e.learningRates[0], .infinity)
            for rate in e.learningRates {
                let losses = runs(validation) { baseline.run($0, learningRate: rate, steps: horizon) }
                let score = meanOverHorizon(losses, horizon: horizon)
                scores[String(format: "%g", rate)] = score.isFinite ? score : nil
                if score < best.score { best = (rate, score) }
            }
            let (losses, seconds) = timed { runs(test) { baseline.run($0, learningRate: best.rate, steps: e.steps) } }
            methods.append(Method(name: baseline.label, learningRate: best.rate, validation: scores, curve: summaries(losses), wallSeconds: seconds))
            perRun[baseline.label] = losses
            log(String(format: "%@: learning rate %g (validation mean loss over %d steps %.4g)", baseline.label, best.rate, horizon, best.score))
        }
        let paired = BaselineOptimizer.allCases.flatMap { b in
            e.horizons.map { pairedDifference(perRun["LSTM (learned)"]!, perRun[b.label]!, baseline: b.label, step: $0) }
        }
        return Comparison(problem: config.problem.rawValue, trainingHorizon: horizon, steps: e.steps, horizons: e.horizons,
                          testRuns: learned.count, validationRuns: validation.reduce(0) { $0 + $1.problemCount },
                          testSeed: e.testSeed, validationSeed: e.validationSeed, learningRateGrid: e.learningRates,
                          tuning: "each baseline's learning rate is the grid value with the lowest mean loss over steps 1…\(horizon) on the validation runs (seed \(e.validationSeed)), never on the test runs",
                          blasKernel: BLAS.kernelDescription, optimizerFile: optimizerFile, methods: methods, paired: paired)
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
        (0..<(losses.first?.count ?? 0)).map { t in
            let column = losses.map { Double($0[t]) }
            let finite = column.filter(\.isFinite)
            guard finite.count == column.count else { return Summary(mean: nil, ci95: nil, diverged: column.count - finite.count) }
            let (mean, ci) = Statistics.meanAndStudentInterval(finite)
            return mean.isFinite && ci.isFinite ? Summary(mean: mean, ci95: ci, diverged: 0) : Summary(mean: nil, ci95: nil, diverged: 0)
        }
    }

    static func pairedDifference(_ learned: [[Float]], _ baseline: [[Float]], baseline name: String, step: Int) -> Paired {
        let pairs = zip(learned, baseline).map { (Double($0[step]), Double($1[step])) }
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
