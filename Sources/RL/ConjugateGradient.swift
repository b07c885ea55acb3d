/// Solves A x = b for symmetric positive-definite A, given only the product v ↦ A v, by conjugate
/// gradient (Hestenes & Stiefel 1952; as TRPO uses it, Schulman et al. 2015, Appendix C).
/// Stops after `iterations` or when the squared residual falls below `tolerance`. Also returns
/// A x, accumulated from the products already taken (TRPO needs xᵀAx, and one product fewer).
public func conjugateGradient(_ product: (Tensor) throws -> Tensor, _ b: Tensor, iterations: Int,
                              tolerance: Float = 1e-10) rethrows -> (solution: Tensor, product: Tensor) {
    var x = Tensor.zeros(b.shape)
    var ax = Tensor.zeros(b.shape)
    var r = b
    var p = b
    var rr = (r * r).sum().scalar
    for _ in 0..<iterations where rr > tolerance {
        let ap = try product(p)
        let alpha = rr / (p * ap).sum().scalar
        x = x + alpha * p
        ax = ax + alpha * ap
        r = r - alpha * ap
        let next = (r * r).sum().scalar
        p = r + (next / rr) * p
        rr = next
    }
    return (x, ax)
}

/// Backtracking line search (TRPO, Schulman et al. 2015, Appendix C): tries the step scaled by
/// ratio⁰, ratio¹, … and returns the first scale whose candidate `accept`s, with its index, or nil.
public func backtrackingLineSearch<T>(ratio: Float, maxSteps: Int, _ evaluate: (Float) throws -> T,
                                      accept: (T) -> Bool) rethrows -> (scale: Float, index: Int, value: T)? {
    var scale: Float = 1
    for index in 0..<maxSteps {
        let value = try evaluate(scale)
        if accept(value) { return (scale, index, value) }
        scale *= ratio
    }
    return nil
}
