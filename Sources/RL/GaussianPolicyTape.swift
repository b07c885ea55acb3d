import Foundation

/// One batch of episodes reduced to its real steps (padding rows dropped: their mask is 0, so
/// they add nothing to any loss), in the flat form `GaussianPolicyTape` reads.
struct StepBatch: Sendable {
    let rows: Int
    let observations: [Float]
    let actions: [Float]
    /// Advantages divided by the batch's step count: the losses' masked means become plain sums.
    let weights: [Float]
    /// log π_old(a|s) of the parameters that sampled the batch.
    let oldLogProbabilities: [Float]

    init(_ batch: AdaptationBatch) {
        let episodes = batch.episodes
        let (obsSize, actSize) = (episodes.observations.shape[1], episodes.actions.shape[1])
        let real = episodes.masks.indices.filter { episodes.masks[$0] > 0 }
        let scale = 1 / Swift.max(Float(episodes.stepCount), 1)
        rows = real.count
        func gather(_ source: [Float], width: Int) -> [Float] {
            [Float](unsafeUninitializedCapacity: real.count * width) { out, initialized in
                source.withUnsafeBufferPointer { from in
                    for (k, row) in real.enumerated() {
                        (out.baseAddress! + k * width).initialize(from: from.baseAddress! + row * width, count: width)
                    }
                }
                initialized = real.count * width
            }
        }
        observations = gather(episodes.observations.scalars, width: obsSize)
        actions = gather(episodes.actions.scalars, width: actSize)
        weights = gather(batch.advantages.scalars, width: 1).map { $0 * scale }
        oldLogProbabilities = gather(episodes.logProbabilities.scalars, width: 1)
    }
}

/// A Gaussian MLP policy evaluated on one `StepBatch`: the MLP's tape for the means μ(s), plus the
/// Gaussian's part of every product (`MLPTape` does the network's). With z = (a − μ)/σ and
/// log π = −½ Σⱼ zⱼ² − Σⱼ log σⱼ − (d/2) log 2π, a loss ℓ = −Σₙ cₙ log π(aₙ|sₙ) has
///   ∂ℓ/∂μₙⱼ = −cₙ eₙⱼ/σⱼ²  and  ∂ℓ/∂log σⱼ = Σₙ cₙ (1 − zₙⱼ²),   with e = a − μ;
/// the inner loss takes cₙ = Aₙ/N, the TRPO surrogate cₙ = Aₙ/N · π/π_old. The R-operator of these
/// (Hessian-vector products) and the KL's Fisher product are below; the autodiff's
/// `GaussianMLPPolicy` losses are the reference they are tested against.
final class GaussianPolicyTape: @unchecked Sendable {
    let policy: GaussianMLPPolicy
    let mean: MLPTape
    private(set) var batch: StepBatch?
    /// θ of the last forward pass (flat), and its log σ.
    private(set) var parameters: [Float] = []
    private(set) var logStd: [Float] = []
    /// 1/σ² per action dimension.
    private var precision: [Float] = []
    /// e = a − μ, rows × d.
    private var residuals: [Float] = []
    /// The weights cₙ of the last gradient (its Hessian-vector products need them).
    private var lossWeights: [Float] = []
    private var buffer: [Float] = []

    init(policy: GaussianMLPPolicy) {
        self.policy = policy
        mean = MLPTape(mlp: policy.mean)
    }

    var actionSize: Int { policy.actionSize }
    var logStdOffset: Int { parameters.count - actionSize }

    /// Runs the policy at `theta` (flat, `Parameters.flattened()` order) on `batch`.
    func forward(_ theta: [Float], on batch: StepBatch) {
        self.batch = batch
        parameters = theta
        logStd = Array(theta[(theta.count - actionSize)...])
        precision = logStd.map { Foundation.exp(-2 * $0) }
        theta.withUnsafeBufferPointer { t in
            batch.observations.withUnsafeBufferPointer { mean.forward(t.baseAddress!, input: $0.baseAddress!, rows: batch.rows) }
        }
        let mu = mean.outputs
        residuals = batch.actions.indices.map { batch.actions[$0] - mu[$0] }
    }

    /// log π(aₙ|sₙ) per row at the last forward pass.
    var logProbabilities: [Float] {
        let d = actionSize
        let constant = Float(d) * 0.5 * Float(Foundation.log(2 * Double.pi))
        let logStdSum = logStd.reduce(Float(0), +)
        return (0..<(batch?.rows ?? 0)).map { n in
            var squares: Float = 0
            for j in 0..<d {
                let e = residuals[n * d + j]
                squares += e * e * precision[j]
            }
            return -0.5 * squares - logStdSum - constant
        }
    }

    /// The TRPO surrogate −Σₙ (Aₙ/N) π/π_old at the last forward pass, and the weights cₙ of its
    /// gradient.
    func surrogate() -> (value: Double, weights: [Float]) {
        let batch = batch!
        let ratios = zip(logProbabilities, batch.oldLogProbabilities).map { Foundation.exp($0 - $1) }
        let weights = zip(batch.weights, ratios).map { $0 * $1 }
        let total = weights.reduce(0.0) { (sum: Double, w: Float) in sum + Double(w) }
        return (-total, weights)
    }

    /// The mean KL(π_old ‖ π) over the batch's states, π_old given by its means and log σ.
    func meanKL(oldMeans: [Float], oldLogStd: [Float]) -> Double {
        let d = actionSize, mu = mean.outputs
        let rows = batch!.rows
        var total = 0.0
        for n in 0..<rows {
            for j in 0..<d {
                let gap = oldMeans[n * d + j] - mu[n * d + j]
                let spread = (Foundation.exp(2 * oldLogStd[j]) + gap * gap) * precision[j] / 2
                total += Double(spread + logStd[j] - oldLogStd[j] - 0.5)
            }
        }
        return total / Double(Swift.max(rows, 1))
    }

    /// ∇θ of −Σₙ cₙ log π(aₙ|sₙ) at the last forward pass. The backward pass stays on the tape
    /// for `hessianProduct`.
    func gradient(weights c: [Float]) -> [Float] {
        let d = actionSize
        lossWeights = c
        buffer = residuals.indices.map { i in -c[i / d] * residuals[i] * precision[i % d] }
        var g = [Float](repeating: 0, count: parameters.count)
        parameters.withUnsafeBufferPointer { t in
            g.withUnsafeMutableBufferPointer { mean.backward(t.baseAddress!, outputGradient: buffer, into: $0.baseAddress!) }
        }
        for j in 0..<d {
            var sum: Float = 0
            for n in 0..<c.count {
                let e = residuals[n * d + j]
                sum += c[n] * (1 - e * e * precision[j])
            }
            g[logStdOffset + j] = sum
        }
        return g
    }

    /// H v, the Hessian of the last `gradient`'s loss at the last forward pass, times v:
    /// R{∂ℓ/∂μ} = c (R{μ} + 2 e v_logσ)/σ² and R{∂ℓ/∂log σⱼ} = Σₙ 2 cₙ eₙⱼ (R{μ}ₙⱼ + eₙⱼ v_logσⱼ)/σⱼ².
    func hessianProduct(_ v: [Float], workspace: MLPTape.Workspace) -> [Float] {
        let d = actionSize, vs = Array(v[logStdOffset...]), precision = precision
        var result = [Float](repeating: 0, count: parameters.count)
        var logStdSums = [Float](repeating: 0, count: d)
        residuals.withUnsafeBufferPointer { e in
            lossWeights.withUnsafeBufferPointer { c in
                withPointers(v, &result) { t, vp, r in
                    mean.hessianProduct(t, vp, into: r, workspace: workspace) { block, rmu, out in
                        for (k, n) in block.enumerated() {
                            for j in 0..<d {
                                let (i, local) = (n * d + j, k * d + j)
                                out[local] = c[n] * precision[j] * (rmu[local] + 2 * e[i] * vs[j])
                                logStdSums[j] += c[n] * e[i] * (rmu[local] + e[i] * vs[j])
                            }
                        }
                    }
                }
            }
        }
        for j in 0..<d { result[logStdOffset + j] = 2 * precision[j] * logStdSums[j] }
        return result
    }

    /// F v, the Hessian of the mean KL(π_old ‖ π) at π = π_old (the last forward pass), times v.
    /// At the centre the KL's gradient in μ vanishes, so its Hessian is exactly the Gauss–Newton
    /// form Jᵀ diag(1/σ²) J / N in the network's parameters, and 2 I in log σ, with no cross terms.
    func fisherProduct(_ v: [Float], workspace: MLPTape.Workspace) -> [Float] {
        let d = actionSize, rows = batch!.rows, precision = precision
        let scale = 1 / Float(Swift.max(rows, 1))
        var result = [Float](repeating: 0, count: parameters.count)
        withPointers(v, &result) { t, vp, r in
            mean.gaussNewtonProduct(t, vp, into: r, workspace: workspace) { block, rmu, out in
                for k in 0..<block.count {
                    for j in 0..<d { out[k * d + j] = scale * precision[j] * rmu[k * d + j] }
                }
            }
        }
        for j in 0..<d { result[logStdOffset + j] = 2 * Float(rows) * scale * v[logStdOffset + j] }
        return result
    }

    /// θ, v and the result as pointers.
    private func withPointers(_ v: [Float], _ result: inout [Float],
                              _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        parameters.withUnsafeBufferPointer { t in
            v.withUnsafeBufferPointer { vp in
                result.withUnsafeMutableBufferPointer { body(t.baseAddress!, vp.baseAddress!, $0.baseAddress!) }
            }
        }
    }
}
