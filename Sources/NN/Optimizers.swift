/// Plain gradient descent: θ ← θ − lr·g.
public struct SGD: Sendable {
    public var learningRate: Float
    public init(learningRate: Float) { self.learningRate = learningRate }

    /// The updated parameters. Differentiable when `gradients` carry a graph (MAML's inner step).
    public func step(_ parameters: Parameters, gradients: Parameters) -> Parameters {
        parameters.zip(gradients) { $0 - learningRate * $1 }
    }
}

/// Adam (Kingma & Ba, 2015, Algorithm 1), with its moments as named tensors so the optimiser's
/// state can be saved in a checkpoint and a run resumed exactly.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Updates taken so far.
    public private(set) var step: Int = 0
    public private(set) var firstMoment: Parameters?
    public private(set) var secondMoment: Parameters?

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// Restores a saved state (for resuming a run).
    public mutating func restore(step: Int, firstMoment: Parameters, secondMoment: Parameters) {
        require(firstMoment.names == secondMoment.names, "Adam.restore: moment names differ")
        self.step = step
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
    }

    /// Returns θ after one update with gradient g. Not recorded: the meta-optimiser's step is
    /// never differentiated.
    public mutating func update(_ parameters: Parameters, gradients g: Parameters) -> Parameters {
        withoutGradients {
            let zeros = g.map { Tensor.zeros($0.shape) }
            let m = (firstMoment ?? zeros).zip(g) { beta1 * $0 + (1 - beta1) * $1 }
            let v = (secondMoment ?? zeros).zip(g) { beta2 * $0 + (1 - beta2) * $1.square() }
            step += 1
            let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
            // θ ← θ − (lr / c1) · m / (√v / √c2 + ε), PyTorch's arrangement of the bias corrections.
            let denominator = v.map { $0.sqrt() / c2.squareRoot() + epsilon }
            firstMoment = m
            secondMoment = v
            return parameters.detached().zip(m.zip(denominator, /)) { $0 - (learningRate / c1) * $1 }
        }
    }
}

import Foundation
