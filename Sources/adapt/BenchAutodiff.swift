import ArgumentParser
import NN

/// `adapt bench autodiff`: forward+backward and Hessian-vector-product time of the policy-sized
/// MLP 20→100→100→6 at batch 4000, and sgemm throughput, single-threaded and with all threads.
struct BenchAutodiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autodiff", abstract: "Time the tensor library: MLP forward+backward, Hessian-vector products, sgemm.")

    @Flag(help: "Print one JSON object.") var json = false
    @Option(help: "Timed repetitions per figure (the median is reported).") var repetitions = 15

    struct Figures: Encodable {
        var blasThreads: Int
        var forwardBackwardMs: Double
        var forwardMs: Double
        var hessianVectorProductMs: Double
        var sgemmGflops: Double
    }

    struct Report: Encodable {
        var suite = "autodiff"
        var model = "MLP 20-100-100-6 relu, batch 4000, mean squared error"
        var sgemmShape = "4000x100 * 100x100"
        var singleThread: Figures
        var defaultThreads: Figures
    }

    func validate() throws {
        try Limits.check("--repetitions", repetitions, in: 1...10_000)
    }

    func run() throws {
        let single = measure(threads: 1)
        let all = measure(threads: BLAS.processorCount)
        BLAS.setThreadCount(1)
        try Measure.print(Report(singleThread: single, defaultThreads: all), json: json)
    }

    private func measure(threads: Int) -> Figures {
        BLAS.setThreadCount(threads)
        var rng = Xoshiro256(seed: 0)
        let mlp = MLP(sizes: [20, 100, 100, 6], activation: .relu)
        let theta = mlp.initialParameters(using: &rng).requiringGradient()
        let x = Tensor.randomNormal([4000, 20], using: &rng)
        let y = Tensor.randomNormal([4000, 6], using: &rng)
        let v = theta.map { Tensor.randomNormal($0.shape, using: &rng) }
        let loss = { (p: Parameters) in (mlp(x, p) - y).square().mean() }

        let forward = Measure.median(repetitions: repetitions) { _ = withoutGradients { loss(theta) } }
        let forwardBackward = Measure.median(repetitions: repetitions) { _ = gradients(of: loss(theta), wrt: theta) }
        let hvp = Measure.median(repetitions: repetitions) {
            let g = gradients(of: loss(theta), wrt: theta, createGraph: true)
            _ = gradients(of: g.dot(v), wrt: theta)
        }
        let a = Tensor.randomNormal([4000, 100], using: &rng), b = Tensor.randomNormal([100, 100], using: &rng)
        let sgemm = Measure.median(repetitions: repetitions * 4) { _ = a.matmul(b) }
        return Figures(blasThreads: threads, forwardBackwardMs: forwardBackward * 1e3, forwardMs: forward * 1e3,
                       hessianVectorProductMs: hvp * 1e3, sgemmGflops: 2 * 4000 * 100 * 100 / sgemm * 1e-9)
    }
}
