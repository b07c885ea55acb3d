import Experiments
import Foundation
import Testing
import TestSupport
@testable import MetaLearning

/// The meta-LSTM and Meta Networks: their update rules by hand and their meta-gradients against
/// finite differences (their training on an image folder: MetricLearnerTests, with every episode
/// classifier).
@Suite struct MetaLSTMAndMetaNetTests {
    /// A linear softmax learner on 3 features, 2 classes, and an episode of 4 support and 3 queries.
    static let linear = FunctionalModel(loss: .crossEntropy) { p, x in Tensor.affine(x, p["w"], p["b"]) }
    static let task: FewShotTask = {
        var rng = Xoshiro256(seed: 11)
        return FewShotTask(supportInputs: Tensor.randomNormal([4, 3], using: &rng),
                           supportTargets: Tensor(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 0, 0, 1]),
                           queryInputs: Tensor.randomNormal([3, 3], using: &rng), queryTargets: Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 0, 1]))
    }()

    static func metaLSTMParameters(steps: Int) -> (MetaLSTM, Parameters) {
        var rng = Xoshiro256(seed: 2)
        let learner = Parameters(names: ["w", "b"], tensors: [Tensor.randomNormal([3, 2], using: &rng), Tensor.zeros([2])])
        // Gates moved off their initial saturation, so every weight matters to the loss.
        var meta = MetaLSTM.parameters(using: &rng).map { $0 + 0.3 * Tensor.randomNormal($0.shape, using: &rng) }
        meta = Parameters(names: meta.names, tensors: meta.names.map { name in
            name.hasSuffix("forget.bias") ? Tensor([1]) : name.hasSuffix("input.bias") ? Tensor([-1]) : meta[name]
        })
        return (MetaLSTM(learner: linear, learnerNames: ["w", "b"], steps: steps), learner.appending(meta))
    }

    /// One step by hand: θ₁ = f ⊙ θ₀ − i ⊙ ∇ with the gates from the first layer's output.
    @Test func metaLSTMUpdatesByItsGates() {
        let (metaLSTM, p) = Self.metaLSTMParameters(steps: 1)
        let adapted = metaLSTM.adapted(on: Self.task, parameters: p)
        let theta = Tensor.concatenate([p["w"].reshaped([6, 1]), p["b"].reshaped([2, 1])], axis: 0)
        let (loss, gradient) = metaLSTM.supportGradient(at: Parameters(names: ["w", "b"], tensors: [p["w"], p["b"]]), Self.task)
        let inputs = Tensor.concatenate([GradientPreprocessing.apply(gradient), GradientPreprocessing.apply(Tensor([loss])).broadcast(to: [8, 2])], axis: 1)
        let h = MetaLSTM.lstm.step(inputs, LSTM.State.zeros(batch: 8, hidden: 20), p).hidden
        let zeros = Tensor.zeros([8, 1])
        let f = Tensor.affine(Tensor.concatenate([h, theta, zeros], axis: 1), p["metaLSTM.forget.weight"], p["metaLSTM.forget.bias"]).sigmoid()
        let i = Tensor.affine(Tensor.concatenate([h, theta, zeros], axis: 1), p["metaLSTM.input.weight"], p["metaLSTM.input.bias"]).sigmoid()
        let expected = (f * theta - i * gradient).scalars
        let got = adapted["w"].scalars + adapted["b"].scalars
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(got) vs \(expected)")
        #expect(zip(got, theta.scalars).contains { abs($0 - $1) > 1e-3 }, "the learner moved")
    }

    /// With one update the learner's gradient depends on θ₀ alone, so the first-order meta-gradient
    /// in every meta-learner weight is exact: finite differences check it.
    @Test func metaLSTMMetaGradientMatchesFiniteDifferences() {
        let (metaLSTM, p) = Self.metaLSTMParameters(steps: 1)
        let metaNames = p.names.filter { $0.hasPrefix(MetaLSTM.prefix) }
        let f = { (t: [Tensor]) -> Tensor in
            let meta = Parameters(names: metaNames, tensors: t)
            return metaLSTM.loss(of: Self.task, parameters: Parameters(names: ["w", "b"], tensors: [p["w"], p["b"]]).appending(meta))
        }
        let error = GradientCheck.maxError(order: 1, f, at: metaNames.map { p[$0] }, step: 1e-3)
        #expect(error < 3e-3, "meta-LSTM meta-gradient: \(error)")
    }

    /// MetaNet with a linear embedding: the whole loss, to second order, in every parameter.
    @Test(arguments: [1, 2]) func metaNetMatchesFiniteDifferences(order: Int) {
        let embedding = FunctionalModel(loss: .crossEntropy) { p, x in x.matmul(p["embed"]) }
        let net = MetaNetwork(embedding: embedding, features: 3, ways: 2)
        var rng = Xoshiro256(seed: 6)
        let p = Parameters(names: ["embed"], tensors: [Tensor.randomNormal([3, 3], using: &rng)])
            .appending(MetaNetwork.parameters(features: 3, ways: 2, using: &rng).map { $0 + 0.3 * Tensor.randomNormal($0.shape, using: &rng) })
        let error = GradientCheck.maxError(order: order, { t in
            net.loss(of: Self.task, parameters: Parameters(names: p.names, tensors: t))
        }, at: p.tensors, step: 1e-3)
        #expect(error < 3e-3, "MetaNet order \(order): \(error)")
    }

    /// MetaNet's fast weights: the generator applied to u_iᵀ(softmax(u_i W + b) − y_i), by hand.
    @Test func metaNetFastWeightsComeFromPerExampleGradients() {
        var rng = Xoshiro256(seed: 9)
        let net = MetaNetwork(embedding: Self.linear, features: 3, ways: 2)
        let p = MetaNetwork.parameters(features: 3, ways: 2, using: &rng)
        let (w, b) = (p["metaNet.slow.weight"], p["metaNet.slow.bias"])
        let fast = net.fastWeights(support: Self.task.supportInputs, labels: Self.task.supportTargets, weight: w, bias: b, p)
        let u = Self.task.supportInputs.scalars, y = Self.task.supportTargets.scalars
        for i in 0..<4 {
            let logits = (0..<2).map { n in Double(b.scalars[n]) + (0..<3).reduce(0.0) { $0 + Double(u[i * 3 + $1] * w.scalars[$1 * 2 + n]) } }
            let z = logits.map { Foundation.exp($0) }.reduce(0, +)
            let error = (0..<2).map { Foundation.exp(logits[$0]) / z - Double(y[i * 2 + $0]) }
            let gradient = (0..<6).map { Double(u[i * 3 + $0 / 2]) * error[$0 % 2] }
            let expected = net.generate(Tensor(shape: [6], scalars: gradient.map(Float.init)), p).scalars
            let row = Array(fast.scalars[(i * 6)..<(i * 6 + 6)])
            #expect(zip(row, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "example \(i): \(row) vs \(expected)")
        }
    }
}
