@_exported import NN
import Foundation

/// A Gaussian policy π_θ(a|s) = N(μ_θ(s), diag(σ²)): an MLP gives the mean, and a learnable,
/// state-independent log standard deviation `log_std` gives σ (Finn et al. 2017, §5.3; rllab's
/// GaussianMLPPolicy). Like every model here it is evaluated at explicit parameters, θ or an
/// adapted θ′.
public struct GaussianMLPPolicy: Sendable, Codable, Equatable {
    public let mean: MLP
    public var observationSize: Int { mean.inputSize }
    public var actionSize: Int { mean.outputSize }
    public static let logStdName = "log_std"

    public init(observationSize: Int, actionSize: Int, hiddenSizes: [Int] = [100, 100], activation: Activation = .relu) {
        mean = MLP(sizes: [observationSize] + hiddenSizes + [actionSize], activation: activation)
    }

    /// Glorot-initialised weights, zero biases, log σ = `initialLogStd` (0: σ = 1, as rllab).
    public func initialParameters<G: RandomNumberGenerator>(initialLogStd: Float = 0, using rng: inout G) -> Parameters {
        let weights = mean.initialParameters(initializer: .glorotUniform, using: &rng)
        return Parameters(names: weights.names + [Self.logStdName],
                          tensors: weights.tensors + [Tensor(repeating: initialLogStd, shape: [actionSize])])
    }

    /// μ_θ(s) for a batch of observations [rows, observationSize].
    public func means(_ observations: Tensor, _ parameters: Parameters) -> Tensor {
        mean(observations, parameters)
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
