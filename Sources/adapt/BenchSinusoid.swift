import Experiments
import Config
import ArgumentParser
import MetaLearning

/// `adapt bench sinusoid`: meta-iterations per second of MAML (second order) and first-order
/// MAML at the paper's sinusoid configuration (MLP 1-40-40-1, K = 10, one inner step, meta-batch
/// 25), and the time of one conv4 meta-iteration on 28×28 images (5-way 1-shot, meta-batch 32).
struct BenchSinusoid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sinusoid", abstract: "Time meta-iterations: sinusoid MAML and first-order MAML, and one conv4 episode batch.")

    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Timed repetitions per sinusoid figure (the median is reported).") var repetitions = 200
    @Option(help: "Timed conv4 meta-iterations (the median is reported).") var convRepetitions = 3
    @Option(help: "Activation of the sinusoid MLP (relu as in the paper, or silu for the ablation).") var activation = "relu"
    @Flag(help: "Skip the conv4 figure.") var noConv = false

    struct Report: Encodable {
        var suite = "sinusoid"
        var configuration = "MLP 1-40-40-1, K = 10 support + 10 query, 1 inner step (alpha 0.01), meta-batch 25, Adam"
        var mamlIterationsPerSecond: Double
        var mamlMsPerIteration: Double
        var fomamlIterationsPerSecond: Double
        var fomamlMsPerIteration: Double
        var reptileIterationsPerSecond: Double
        var conv4Configuration = "conv4 (64 filters, batch norm, max-pool), 28x28, 5-way 1-shot, 1 query per class (cbfinn/maml), 1 inner step (alpha 0.4), meta-batch 32"
        var conv4MamlSecondsPerIteration: Double?
        var conv4FomamlSecondsPerIteration: Double?
        var activation: String
        var blasThreads: Int
    }

    func validate() throws {
        try Limits.check("--repetitions", repetitions, in: 1...100_000)
        try Limits.check("--conv-repetitions", convRepetitions, in: 1...1000)
    }

    func run() throws {
        BLAS.setThreadCount(1)
        var config = SinusoidConfig.defaults
        guard let chosen = Activation(rawValue: activation) else { throw ValidationError("unknown --activation \(activation)") }
        config.activation = chosen
        var rng = Xoshiro256(seed: 0)
        let batches = (0..<16).map { _ in config.family.sampleTasks(25, shots: 10, queryPoints: 10, using: &rng) }
        func sinusoid(_ algorithm: Method) -> Double {
            var learner = SinusoidExperiment.learner(config, algorithm: algorithm)
            var i = 0
            return Measure.median(repetitions: repetitions, warmUp: 10) {
                learner.step(on: batches[i % batches.count])
                i += 1
            }
        }
        let maml = sinusoid(.maml), fomaml = sinusoid(.fomaml), reptile = sinusoid(.reptile)

        var omniglot = OmniglotConfig.defaults
        omniglot.queryShots = 1
        let episodes = (0..<32).map { _ in
            FewShotTask(supportInputs: Tensor.randomUniform([5, 28, 28, 1], using: &rng), supportTargets: Self.oneHot(5),
                        queryInputs: Tensor.randomUniform([5, 28, 28, 1], using: &rng), queryTargets: Self.oneHot(5))
        }
        func conv4(_ algorithm: Method) -> Double {
            var learner = OmniglotExperiment.learner(omniglot, algorithm: algorithm)
            return Measure.median(repetitions: convRepetitions, warmUp: 1) { learner.step(on: episodes) }
        }
        let conv = noConv ? nil : conv4(.maml), convFirstOrder = noConv ? nil : conv4(.fomaml)
        try Measure.print(Report(mamlIterationsPerSecond: 1 / maml, mamlMsPerIteration: maml * 1e3,
                                 fomamlIterationsPerSecond: 1 / fomaml, fomamlMsPerIteration: fomaml * 1e3,
                                 reptileIterationsPerSecond: 1 / reptile,
                                 conv4MamlSecondsPerIteration: conv, conv4FomamlSecondsPerIteration: convFirstOrder,
                                 activation: activation, blasThreads: BLAS.threadCount), json: json)
    }

    static func oneHot(_ n: Int) -> Tensor {
        Tensor(shape: [n, n], scalars: (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
    }
}
