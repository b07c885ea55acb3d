import Foundation
import NN

/// Where the optimizees come from: training, validation (baseline tuning) and held-out test
/// problems, drawn from separate seeds and, for the MLP, from disjoint images.
public struct ProblemSource: Sendable {
    public let config: LearnedOptimizerConfig
    /// Fashion-MNIST's training and test splits (nil for quadratics).
    public let train: FashionMNIST?
    public let test: FashionMNIST?

    /// Reads the dataset when the problem needs it.
    public init(_ config: LearnedOptimizerConfig) throws {
        self.config = config
        if config.problem == .mnist {
            train = try FashionMNIST(folder: config.mnist.data, split: .train)
            test = try FashionMNIST(folder: config.mnist.data, split: .test)
        } else {
            (train, test) = (nil, nil)
        }
    }

    public enum Purpose: Sendable { case validation, test }

    /// One meta-training problem: a batch of quadratics, or one MLP on the meta-training images.
    public func trainingProblem(using rng: inout Xoshiro256) -> any Optimizee {
        switch config.problem {
        case .quadratic:
            let q = config.quadratic
            return Quadratics(count: q.functionsPerTrajectory, dimension: q.dimension, initialStd: q.initialStd, using: &rng)
        case .mnist:
            return mlp(train!, rows: 0..<config.mnist.metaTrainingImages, seed: rng.next())
        }
    }

    /// The evaluation problems of a purpose: all the quadratics in one batch (each run its own
    /// problem), or one MLP per run (validation on the held-back training images, test on the
    /// test split).
    public func evaluationProblems(_ purpose: Purpose, runs: Int? = nil) -> [any Optimizee] {
        let e = config.evaluation
        let count = runs ?? (purpose == .test ? e.testRuns : e.validationRuns)
        var rng = Xoshiro256(seed: purpose == .test ? e.testSeed : e.validationSeed)
        switch config.problem {
        case .quadratic:
            let q = config.quadratic
            return [Quadratics(count: count, dimension: q.dimension, initialStd: q.initialStd, using: &rng)]
        case .mnist:
            return (0..<count).map { _ in
                purpose == .test ? mlp(test!, rows: 0..<test!.count, seed: rng.next())
                                 : mlp(train!, rows: config.mnist.metaTrainingImages..<train!.count, seed: rng.next())
            }
        }
    }

    func mlp(_ data: FashionMNIST, rows: Range<Int>, seed: UInt64) -> MLPClassifierProblem {
        MLPClassifierProblem(data: data, rows: rows, hiddenUnits: config.mnist.hiddenUnits, batchSize: config.mnist.batchSize, seed: seed)
    }
}
