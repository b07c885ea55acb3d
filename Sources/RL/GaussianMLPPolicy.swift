@_exported import NN
import Foundation

/// A Gaussian policy π_θ(a|s) = N(μ_θ(s), diag(σ²)): an MLP gives the mean, and a learnable,
/// state-independent log standard deviation `log_std` gives σ (Finn et al. 2017, §5.3; rllab's
/// GaussianMLPPolicy). Like every model here it is evaluated at explicit parameters, θ or an
/// adapted θ′.
///
/// With a context (CAVIA, `contextSize` > 0) the MLP reads the observation with the context φ
/// appended; φ is a parameter named `context`, zero when the parameters have none (every task
/// starts from φ = 0), and the inner loop adapts it alone.
public struct GaussianMLPPolicy: Sendable, Codable, Equatable {
    public let mean: MLP
    /// Size of CAVIA's context φ (0: none, a MAML policy).
    public let contextSize: Int
    public var observationSize: Int { mean.inputSize - contextSize }
    public var actionSize: Int { mean.outputSize }
    public static let logStdName = "log_std"

    public init(observationSize: Int, actionSize: Int, hiddenSizes: [Int] = [100, 100], activation: Activation = .relu,
                contextSize: Int = 0) {
        mean = MLP(sizes: [observationSize + contextSize] + hiddenSizes + [actionSize], activation: activation)
        self.contextSize = contextSize
    }

    private enum CodingKeys: String, CodingKey { case mean, contextSize }

    /// Policies without a context are written (and were always written) without the key, so their
    /// checkpoints keep their bytes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode(MLP.self, forKey: .mean)
        contextSize = try c.decodeIfPresent(Int.self, forKey: .contextSize) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mean, forKey: .mean)
        if contextSize > 0 { try c.encode(contextSize, forKey: .contextSize) }
    }

    /// Why a decoded policy cannot be used, or nil.
    public var inconsistency: String? {
        if let problem = mean.inconsistency { return problem }
        guard (0...1024).contains(contextSize), contextSize < mean.inputSize else {
            return "context size \(contextSize) does not fit its input size \(mean.inputSize)"
        }
        return nil
    }

    /// `parameters` as a task's adaptation starts from them: with a zero context appended (a leaf
    /// of the graph) if the policy has one and they hold none (θ never does).
    public func withContext(_ parameters: Parameters) -> Parameters {
        contextSize == 0 || parameters.names.contains(Context.name) ? parameters
            : parameters.appending(Context.zeros(size: contextSize))
    }

    /// The parameters the inner loop adapts: the context alone for CAVIA, all for MAML (nil).
    public var adaptedNames: Set<String>? { contextSize > 0 ? [Context.name] : nil }

    /// Glorot-initialised weights, zero biases, log σ = `initialLogStd` (0: σ = 1, as rllab).
    public func initialParameters<G: RandomNumberGenerator>(initialLogStd: Float = 0, using rng: inout G) -> Parameters {
        let weights = mean.initialParameters(initializer: .glorotUniform, using: &rng)
        return Parameters(names: weights.names + [Self.logStdName],
                          tensors: weights.tensors + [Tensor(repeating: initialLogStd, shape: [actionSize])])
    }

    /// μ_θ(s) for a batch of observations [rows, observationSize].
    public func means(_ observations: Tensor, _ parameters: Parameters) -> Tensor {
        guard contextSize > 0 else { return mean(observations, parameters) }
        return mean(Context.appended(to: observations, withContext(parameters)[Context.name]), parameters)
    }

    /// log π_θ(a|s) per row: −½ Σⱼ ((aⱼ − μⱼ)/σⱼ)² − Σⱼ log σⱼ − (d/2) log 2π.
    public func logProbability(observations: Tensor, actions: Tensor, _ parameters: Parameters) -> Tensor {
        let logStd = parameters[Self.logStdName]
        let z = (actions - means(observations, parameters)) / logStd.exp()
        let constant = Float(actionSize) * 0.5 * Float(Foundation.log(2 * Double.pi))
        return -0.5 * z.square().sum(axis: 1) - logStd.sum() - constant
    }

    /// KL(π_old ‖ π_θ) per row for diagonal Gaussians, where the old policy is given by its
    /// (constant) means and log σ: Σⱼ log σⱼ − log σ_oldⱼ + (σ_oldⱼ² + (μ_oldⱼ − μⱼ)²)/(2σⱼ²) − ½.
    public func kl(observations: Tensor, oldMeans: Tensor, oldLogStd: Tensor, _ parameters: Parameters) -> Tensor {
        let logStd = parameters[Self.logStdName]
        let variance = (2 * logStd).exp()
        let spread = ((2 * oldLogStd).exp() + (oldMeans - means(observations, parameters)).square()) / (2 * variance)
        return (spread + logStd - oldLogStd - 0.5).sum(axis: 1)
    }

    /// Actions for a batch of observations, a = μ + σ·ε with ε ~ N(0, I) from `rng`; untracked.
    public func sampleActions<G: RandomNumberGenerator>(observations: Tensor, _ parameters: Parameters,
                                                        using rng: inout G) -> Tensor {
        withoutGradients {
            let mu = means(observations, parameters)
            let std = parameters[Self.logStdName].exp().scalars
            var actions = mu
            actions.withUnsafeMutableBufferPointer { a in
                for i in 0..<a.count { a[i] += std[i % actionSize] * Float(rng.normal()) }
            }
            return actions
        }
    }
}
