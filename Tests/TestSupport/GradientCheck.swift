import Autodiff

/// Numerical checks of gradients: analytic derivatives from `gradients(of:wrt:)` against
/// finite differences of the function itself.
///
/// Tensors are Float32, so a plain two-point difference would force loose tolerances. The checks
/// use the five-point central stencil (truncation error O(h⁴)) and reductions that accumulate in
/// Double, which keeps the agreement within about 1e-3 relative.
public enum GradientCheck {
    /// The five-point central-difference derivative of `f` along each element of each input.
    public static func numericalGradients(_ f: ([Tensor]) -> Tensor, at inputs: [Tensor], step h: Float = 1e-2) -> [[Double]] {
        inputs.indices.map { i in
            (0..<inputs[i].count).map { j in
                func value(_ offset: Float) -> Double {
                    var shifted = inputs
                    shifted[i] = perturbed(inputs[i], at: j, by: offset)
                    return Double(f(shifted).sum().scalar)
                }
                let d1 = value(h) - value(-h), d2 = value(2 * h) - value(-2 * h)
                return (8 * d1 - d2) / (12 * Double(h))
            }
        }
    }

    /// The largest relative error between analytic and numerical gradients of sum(f) with respect
    /// to each input, for derivatives of order 1. Errors are relative to max(1, |numerical|).
    public static func maxError(_ f: @escaping ([Tensor]) -> Tensor, at inputs: [Tensor], step h: Float = 1e-2) -> Double {
        let tracked = inputs.map { $0.requiringGradient() }
        let analytic = gradients(of: f(tracked).sum(), wrt: tracked)
        let numeric = numericalGradients(f, at: inputs, step: h)
        return maxRelativeError(analytic.map { $0.scalars.map(Double.init) }, numeric)
    }

    /// Checks the derivative of order `order` (1, 2 or 3): for order n, the function checked is the
    /// directional derivative of order n − 1 along fixed random-like directions, computed with
    /// `createGraph: true`, and its gradient is compared with finite differences of it.
    public static func maxError(order: Int, _ f: @escaping ([Tensor]) -> Tensor, at inputs: [Tensor], step h: Float = 1e-2) -> Double {
        precondition(order >= 1, "order must be at least 1")
        if order == 1 { return maxError(f, at: inputs, step: h) }
        let directions = inputs.enumerated().map { i, x in
            Tensor(shape: x.shape, scalars: (0..<x.count).map { j in Float(((i + 3) * 7919 + j * 104_729) % 19) / 9 - 1 })
        }
        let lowered: ([Tensor]) -> Tensor = { xs in
            let g = gradients(of: f(xs).sum(), wrt: xs, createGraph: true)
            return zip(g, directions).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
        }
        return maxError(order: order - 1, { xs in lowered(xs.map { $0.isTracked ? $0 : $0.requiringGradient() }) }, at: inputs, step: h)
    }

    public static func maxRelativeError(_ a: [[Double]], _ b: [[Double]]) -> Double {
        var worst = 0.0
        for (x, y) in zip(a, b) {
            precondition(x.count == y.count, "gradient sizes differ: \(x.count) vs \(y.count)")
            for (u, v) in zip(x, y) { worst = max(worst, abs(u - v) / max(1, abs(v))) }
        }
        return worst
    }

    static func perturbed(_ x: Tensor, at index: Int, by offset: Float) -> Tensor {
        var scalars = x.scalars
        scalars[index] += offset
        return Tensor(shape: x.shape, scalars: scalars)
    }
}

/// Whether two tensors have the same shape and agree element-wise within `tolerance`
/// (absolute, plus relative to the larger magnitude).
public func isClose(_ a: Tensor, _ b: Tensor, tolerance: Float = 1e-4) -> Bool {
    a.shape == b.shape && zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0), abs($1)) }
}
