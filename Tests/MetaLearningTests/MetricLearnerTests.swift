import Experiments
import Foundation
import Testing
import TestSupport
@testable import MetaLearning

/// Prototypical, matching, relation and Siamese networks: their classifiers and losses against
/// finite differences (first and second order: other meta-learners differentiate through them
/// again) and against their definitions, and a short episodic training of conv4 on a real image
/// folder far above chance.
@Suite struct MetricLearnerTests {
    static let classifiers: [MetricClassifier] = [.prototypes, .matching, .relation, .siamese]

    /// Support of 2 classes × 2 shots, 3 queries, 4-dimensional embeddings.
    static let labels = Tensor(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 0, 0, 1])

    /// Scores and training loss, in the embeddings and the learned similarity's parameters.
    @Test(arguments: classifiers, [1, 2]) func logitsAndLossMatchFiniteDifferences(classifier: MetricClassifier, order: Int) {
        var rng = Xoshiro256(seed: 3)
        var support: Tensor, queries: Tensor, head: Parameters
        repeat {
            support = Tensor.randomNormal([4, 4], using: &rng)
            // Siamese's |q − s| has a kink at 0: keep every difference far from it (finite differences step across it otherwise).
            queries = Tensor.randomNormal([3, 4], using: &rng) + (classifier == .siamese ? 4 : 0)
            head = classifier.headParameters(features: 4, using: &rng).map { $0 + 0.3 * Tensor.randomNormal($0.shape, using: &rng) }
            // The relation module's ReLUs: at second order a step across a kink jumps the first
            // derivative, so draw again until every unit's input is clear of its kink.
        } while classifier == .relation && Self.relationKinkMargin(support: support, queries: queries, head: head) < 0.01
        let targets = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 0, 1])
        let weights = { (t: [Tensor]) in Parameters(names: head.names, tensors: Array(t[2...])) }
        // The relation module's 72 ReLUs: a smaller step keeps the differences off their kinks.
        let step: Float = classifier == .relation ? 1e-3 : 1e-2
        let logits = GradientCheck.maxError(order: order, { t in
            classifier.logits(support: t[0], labels: Self.labels, queries: t[1], parameters: weights(t)).tanh()
        }, at: [support, queries] + head.tensors, step: step)
        let loss = GradientCheck.maxError(order: order, { t in
            classifier.loss(support: t[0], labels: Self.labels, queries: t[1], targets: targets, parameters: weights(t))
        }, at: [support, queries] + head.tensors, step: step)
        // (Float32 rounding weighs more at the relation's smaller step.)
        #expect(max(logits, loss) < (classifier == .relation ? 5e-3 : 2e-3), "\(classifier), order \(order): logits \(logits), loss \(loss)")
    }

    /// Full-context embeddings: both outputs, through both LSTMs and the attention steps, to second order.
    @Test(arguments: [1, 2]) func fullContextEmbeddingsMatchFiniteDifferences(order: Int) {
        var rng = Xoshiro256(seed: 12)
        let fce = FullContextEmbedding(features: 3, steps: 2)
        let p = fce.initialParameters(using: &rng)
        let support = Tensor.randomNormal([3, 3], using: &rng), queries = Tensor.randomNormal([2, 3], using: &rng)
        let error = GradientCheck.maxError(order: order, { t in
            let (g, f) = fce.apply(support: t[0], queries: t[1], parameters: Parameters(names: p.names, tensors: Array(t[2...])))
            return (g * g).sum() + (f * f.tanh()).sum()
        }, at: [support, queries] + p.tensors)
        #expect(error < 3e-3, "FCE order \(order): \(error)")
    }

    /// Relation: a pair's score is the MLP on [mean class embedding, query], by hand.
    @Test func relationScoresTheConcatenatedPair() {
        var rng = Xoshiro256(seed: 8)
        let head = MetricClassifier.relation.headParameters(features: 2, using: &rng).map { $0 + 0.1 * Tensor.randomNormal($0.shape, using: &rng) }
        let support = Tensor(shape: [4, 2], scalars: [1, 2, 0, 1, 3, -1, 2, 2]), query = Tensor(shape: [1, 2], scalars: [0.5, -0.5])
        let scores = MetricClassifier.relation.logits(support: support, labels: Self.labels, queries: query, parameters: head).scalars
        for (k, c) in [[2.0, 0.5], [1.0, 1.5]].enumerated() {  // means of rows 0, 2 and of rows 1, 3
            let expected = Self.relationLayers(c + [0.5, -0.5], head).last![0]
            #expect(abs(Double(scores[k]) - expected) < 1e-5, "class \(k): \(scores[k]) vs \(expected)")
        }
    }

    /// The relation module by hand in Double: each layer's pre-activations for the pair input x.
    static func relationLayers(_ x: [Double], _ head: Parameters) -> [[Double]] {
        var input = x, layers: [[Double]] = []
        for i in 1...3 {
            let w = head["relation.layer\(i).weight"], b = head["relation.layer\(i).bias"].scalars.map(Double.init)
            let pre = (0..<w.shape[1]).map { j in b[j] + input.indices.reduce(0.0) { $0 + input[$1] * Double(w.scalars[$1 * w.shape[1] + j]) } }
            layers.append(pre)
            input = pre.map { max(0, $0) }
        }
        return layers
    }

    /// The smallest |input| of a ReLU of the relation module over every (class, query) pair.
    static func relationKinkMargin(support: Tensor, queries: Tensor, head: Parameters) -> Double {
        let d = support.shape[1], s = support.scalars.map(Double.init), q = queries.scalars.map(Double.init)
        let classes = (0..<labels.shape[1]).map { k in
            let members = (0..<labels.shape[0]).filter { labels.scalars[$0 * labels.shape[1] + k] == 1 }
            return (0..<d).map { j in members.reduce(0.0) { $0 + s[$1 * d + j] } / Double(members.count) }
        }
        let pairs = classes.flatMap { c in (0..<queries.shape[0]).map { c + Array(q[$0 * d ..< ($0 + 1) * d]) } }
        return pairs.flatMap { relationLayers($0, head).dropLast().joined() }.map(abs).min()!
    }

    /// Siamese: a class's score is the mean over its examples of α·|q − s| + b.
    @Test func siameseScoresByWeightedL1Distance() {
        let head = Parameters(names: ["siamese.weight", "siamese.bias"], tensors: [Tensor(shape: [2, 1], scalars: [-1, -2]), Tensor([0.5])])
        let support = Tensor(shape: [4, 2], scalars: [0, 0, 1, 1, 2, 0, 3, 1]), query = Tensor(shape: [1, 2], scalars: [1, 0])
        let scores = MetricClassifier.siamese.logits(support: support, labels: Self.labels, queries: query, parameters: head).scalars
        // Class 0: |(1,0)−(0,0)| → −1, |(1,0)−(2,0)| → −1; class 1: (0,1) → −2, (2,1) → −4; plus b.
        #expect(zip(scores, [-0.5, -2.5] as [Float]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(scores)")
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

    /// Every episode classifier (the metric learners, the meta-LSTM with 3 updates, MetaNet):
    /// 100 Adam steps on the test folder lower its loss and lift its accuracy far above chance.
    @Test(arguments: [Method.protonet, .matching, .relation, .siamese, .metaLSTM, .metanet])
    func episodicTrainingBeatsChance(method: Method) throws {
        var (config, train, test) = try FewShotClassificationTests.smallExperiment()
        config.learner.metaLSTMSteps = 3
        var learner = OmniglotExperiment.learner(config, algorithm: method)
        #expect(learner.parameters.names.contains("head.weight") == (method == .metaLSTM))
        #expect(learner.parameters.names.contains { $0.hasPrefix("relation.") } == (method == .relation))
        var rng = Xoshiro256(seed: 5)
        var losses: [Float] = []
        for _ in 0..<100 {
            losses.append(learner.step(on: (0..<4).map { _ in train.sample(ways: 5, shots: 1, queryShots: 3, using: &rng) }).metaLoss)
        }
        #expect(losses.suffix(5).reduce(0, +) < losses.prefix(5).reduce(0, +), "\(losses)")
        let trained = OmniglotExperiment.evaluate(config, algorithm: method, parameters: learner.parameters, sampler: test, episodes: 60)
        // Chance is 0.2; on 60 × 15 queries its 95% range ends below 0.23. The learners that train
        // a classifier inside (meta-LSTM, MetaNet) start slower than the metric ones.
        let floor = method.isMetricBased ? 0.6 : 0.35
        #expect(trained.mean.count == 1 && trained.mean[0] > floor, "\(method) accuracy \(trained.mean[0]) (chance 0.2)")
    }

    @Test func matchingWithFullContextEmbeddingsTrains() throws {
        var (config, train, test) = try FewShotClassificationTests.smallExperiment()
        config.learner.fullContextSteps = 2
        var learner = OmniglotExperiment.learner(config, algorithm: .matching)
        #expect(learner.parameters.names.contains("fce.read.inputWeight"))
        var rng = Xoshiro256(seed: 5)
        for _ in 0..<100 { learner.step(on: (0..<4).map { _ in train.sample(ways: 5, shots: 1, queryShots: 3, using: &rng) }) }
        let trained = OmniglotExperiment.evaluate(config, algorithm: .matching, parameters: learner.parameters, sampler: test, episodes: 60)
        #expect(trained.mean[0] > 0.6, "matching with FCE: accuracy \(trained.mean[0]) (chance 0.2)")
    }
}
