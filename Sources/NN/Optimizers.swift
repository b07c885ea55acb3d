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
    /// never differentiated. One fused pass per tensor (no temporaries), with the same
    /// arithmetic, element by element, as the textbook tensor expressions.
    public mutating func update(_ parameters: Parameters, gradients g: Parameters) -> Parameters {
        require(parameters.names == g.names, "Adam.update: parameters \(parameters.names) vs gradients \(g.names)")
        step += 1
        let c1 = 1 - pow(beta1, Float(step)), c2 = 1 - pow(beta2, Float(step))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        let rootC2 = c2.squareRoot(), stepSize = learningRate / c1
        var m: [Tensor] = [], v: [Tensor] = [], theta: [Tensor] = []
        for (i, gradient) in g.tensors.enumerated() {
            let n = gradient.count
            let grad = gradient.scalars, old = parameters.tensors[i].scalars
            let m0 = firstMoment?.tensors[i].scalars ?? [Float](repeating: 0, count: n)
            let v0 = secondMoment?.tensors[i].scalars ?? [Float](repeating: 0, count: n)
            var mi = [Float](repeating: 0, count: n), vi = mi, ti = mi
            // Unchecked pointers, so the loop vectorises.
            grad.withUnsafeBufferPointer { g in old.withUnsafeBufferPointer { t0 in
            m0.withUnsafeBufferPointer { m0 in v0.withUnsafeBufferPointer { v0 in
            mi.withUnsafeMutableBufferPointer { m in vi.withUnsafeMutableBufferPointer { v in
            ti.withUnsafeMutableBufferPointer { t in
                for j in 0..<n {
                    // θ ← θ − (lr / c1) · m / (√v / √c2 + ε), PyTorch's arrangement of the bias corrections.
                    m[j] = b1 * m0[j] + (1 - b1) * g[j]
                    v[j] = b2 * v0[j] + (1 - b2) * (g[j] * g[j])
                    t[j] = t0[j] - stepSize * (m[j] / (v[j].squareRoot() / rootC2 + eps))
                }
            } } } } } } }
            m.append(Tensor(shape: gradient.shape, scalars: mi))
            v.append(Tensor(shape: gradient.shape, scalars: vi))
            theta.append(Tensor(shape: gradient.shape, scalars: ti))
        }
        firstMoment = Parameters(names: g.names, tensors: m)
        secondMoment = Parameters(names: g.names, tensors: v)
        return Parameters(names: parameters.names, tensors: theta)
    }

    /// How far the last update moved each parameter per unit of its gradient, with the second
    /// moment held constant: (lr / c1)(1 − β1) / (√v / √c2 + ε). The derivative of the update in
    /// anything its gradient depends on (meta-gradient RL's η), as Xu et al. 2018 treat RMSProp.
    public func stepPerUnitGradient() -> Parameters {
        guard let secondMoment, step > 0 else { fatalError("Adam.stepPerUnitGradient before any update") }
        let c1 = 1 - pow(beta1, Float(step)), rootC2 = (1 - pow(beta2, Float(step))).squareRoot()
        let scale = learningRate / c1 * (1 - beta1)
        return secondMoment.map { v in Tensor(shape: v.shape, scalars: v.scalars.map { scale / ($0.squareRoot() / rootC2 + epsilon) }) }
    }
}

import Foundation
