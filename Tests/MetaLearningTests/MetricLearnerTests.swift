import Experiments
import Foundation
import Testing
import TestSupport
@testable import MetaLearning

/// Prototypical and matching networks: their classifiers against finite differences (first and
/// second order: other meta-learners differentiate through them again) and against their
/// definitions, and a short episodic training of conv4 on a real image folder far above chance.
@Suite struct MetricLearnerTests {
    static let classifiers: [MetricClassifier] = [.prototypes, .matching]

    /// Support of 2 classes × 2 shots, 3 queries, 4-dimensional embeddings.
    static let labels = Tensor(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 0, 0, 1])

    @Test(arguments: classifiers, [1, 2]) func logitsMatchFiniteDifferences(classifier: MetricClassifier, order: Int) {
        var rng = Xoshiro256(seed: 3)
        let support = Tensor.randomNormal([4, 4], using: &rng), queries = Tensor.randomNormal([3, 4], using: &rng)
        let error = GradientCheck.maxError(order: order, { classifier.logits(support: $0[0], labels: Self.labels, queries: $0[1]).tanh() },
                                           at: [support, queries])
        #expect(error < 2e-3, "\(classifier), order \(order): \(error)")
    }

    /// Matching: the class probabilities are the softmax of cosine similarities summed per class.
    @Test func matchingAttendsByCosineSimilarity() {
        let support = Tensor(shape: [4, 2], scalars: [2, 0, 0, 3, 1, 1, -1, 1])  // classes 0, 1, 0, 1
        let queries = Tensor(shape: [1, 2], scalars: [5, 0])
        let probabilities = MetricClassifier.matching.logits(support: support, labels: Self.labels, queries: queries).exp().scalars
        let cosines: [Double] = [1, 0, 0.5.squareRoot(), -(0.5.squareRoot())].map { Foundation.exp($0) }
        let total = cosines.reduce(0, +)
        let expected = [(cosines[0] + cosines[2]) / total, (cosines[1] + cosines[3]) / total]
        #expect(zip(probabilities, expected).allSatisfy { abs(Double($0) - $1) < 1e-5 }, "\(probabilities) vs \(expected)")
    }

    @Test func logitsAreMinusSquaredDistancesToClassMeans() {
        let support = Tensor(shape: [4, 2], scalars: [0, 0, 4, 4, 2, 0, 6, 4])  // class 0: (0,0),(2,0); class 1: (4,4),(6,4)
        let queries = Tensor(shape: [1, 2], scalars: [1, 1])
        let logits = MetricClassifier.prototypes.logits(support: support, labels: Self.labels, queries: queries)
        // Prototypes (1, 0) and (5, 4): distances² 1 and 25.
        #expect(zip(logits.scalars, [-1, -25] as [Float]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(logits.scalars)")
    }

    @Test(arguments: [Method.protonet, .matching]) func episodicTrainingBeatsChance(method: Method) throws {
        let (config, train, test) = try FewShotClassificationTests.smallExperiment()
        var learner = OmniglotExperiment.learner(config, algorithm: method)
        #expect(!learner.parameters.names.contains("head.weight"))
        var rng = Xoshiro256(seed: 5)
        var losses: [Float] = []
        for _ in 0..<40 {
            losses.append(learner.step(on: (0..<4).map { _ in train.sample(ways: 5, shots: 1, queryShots: 3, using: &rng) }).metaLoss)
        }
        #expect(losses.suffix(5).reduce(0, +) < losses.prefix(5).reduce(0, +), "\(losses)")
        let trained = OmniglotExperiment.evaluate(config, algorithm: method, parameters: learner.parameters, sampler: test, episodes: 60)
        #expect(trained.mean.count == 1 && trained.mean[0] > 0.6, "\(method) accuracy \(trained.mean[0]) (chance 0.2)")
    }
}
