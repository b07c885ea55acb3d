import Foundation
import NN

/// The hand-designed optimizers the paper compares with (§3), coordinatewise on a flat θ, with
/// their usual constants; only the learning rate is tuned (by `Comparison`).
public enum BaselineOptimizer: String, CaseIterable, Codable, Sendable {
    /// θ ← θ − lr·g.
    case sgd
    /// Tieleman & Hinton 2012: v ← 0.9 v + 0.1 g², θ ← θ − lr·g / (√v + 1e-8).
    case rmsprop
    /// Kingma & Ba 2015: β₁ 0.9, β₂ 0.999, ε 1e-8, bias-corrected.
    case adam

    public var label: String { self == .sgd ? "SGD" : (self == .rmsprop ? "RMSprop" : "Adam") }

    /// The losses f_t(θ_t) for t = 0…steps, [step][problem], running from θ₀ at `learningRate`.
    public func run(_ problem: any Optimizee, learningRate lr: Float, steps: Int) -> [[Float]] {
        var theta = problem.initialPoint.scalars
        let n = theta.count
        var m = [Float](repeating: 0, count: n), v = m
        var (losses, gradient) = problem.lossesAndGradient(at: problem.initialPoint, step: 0)
        var record = [losses]
        for t in stride(from: 1, through: steps, by: 1) {
            let g = gradient.scalars
            switch self {
            case .sgd:
                for i in 0..<n { theta[i] -= lr * g[i] }
            case .rmsprop:
                for i in 0..<n {
                    v[i] = 0.9 * v[i] + 0.1 * g[i] * g[i]
                    theta[i] -= lr * g[i] / (v[i].squareRoot() + 1e-8)
                }
            case .adam:
                let c1 = 1 - Foundation.pow(Float(0.9), Float(t)), c2 = 1 - Foundation.pow(Float(0.999), Float(t))
                for i in 0..<n {
                    m[i] = 0.9 * m[i] + 0.1 * g[i]
                    v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                    theta[i] -= lr * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
                }
            }
            (losses, gradient) = problem.lossesAndGradient(at: Tensor(shape: [n], scalars: theta), step: t)
            record.append(losses)
        }
        return record
    }
}

extension LSTMOptimizer {
    /// The losses f_t(θ_t) for t = 0…steps, [step][problem], of the optimizer at φ (no meta-graph).
    public func run(_ problem: any Optimizee, phi: Parameters, steps: Int) -> [[Float]] {
        var trajectory = Trajectory(problem, optimizer: self)
        let first = trajectory.losses
        return [first] + trajectory.advance(steps, problem: problem, optimizer: self, phi: phi.detached(), metaLoss: false).losses
    }
}
