import Testing
import NN
import TestSupport

/// `MLPTape`'s hand-derived products against the autodiff: the gradient, Jacobian-vector and
/// vector-Jacobian products and the Hessian-vector product of a loss that is not quadratic in θ,
/// for every activation, one and two hidden layers.
@Suite struct MLPTapeTests {
    struct Fixture {
        let mlp: MLP
        let theta: Parameters
        let x: Tensor, w: Tensor, u: Tensor
        let v: Parameters
    }

    func fixture(_ activation: Activation, hidden: [Int], rows: Int = 9) -> Fixture {
        var rng = Xoshiro256(seed: 11)
        let mlp = MLP(sizes: [3] + hidden + [2], activation: activation)
        let theta = mlp.initialParameters(using: &rng).map { $0 + 0.1 * Tensor.randomNormal($0.shape, using: &rng) }
        return Fixture(mlp: mlp, theta: theta, x: Tensor.randomNormal([rows, 3], using: &rng),
                       w: Tensor.randomUniform([rows, 2], in: -1...1, using: &rng), u: Tensor.randomNormal([rows, 2], using: &rng),
                       v: theta.map { Tensor.randomNormal($0.shape, using: &rng) })
    }

    /// ℓ(θ) = Σ ½ w μ² + u μ: ∂ℓ/∂μ = w μ + u, R{∂ℓ/∂μ} = w R{μ}.
    func loss(_ f: Fixture, _ p: Parameters) -> Tensor {
        let mu = f.mlp(f.x, p)
        return (0.5 * f.w * mu * mu + f.u * mu).sum()
    }

    func flat(_ p: Parameters) -> [Float] { p.flattened().scalars }

    func close(_ a: [Float], _ b: [Float], _ what: String) {
        let error = GradientCheck.maxRelativeError([a.map(Double.init)], [b.map(Double.init)])
        #expect(error < 1e-4, "\(what): relative error \(error)")
    }

    /// Every activation with one and two hidden layers on a few rows; and on more rows than a
    /// block (`MLPTape.blockRows`), where products run block by block.
    @Test(arguments: Activation.allCases.map { ($0, [5], 9) } + Activation.allCases.map { ($0, [4, 6], 9) }
                     + [(Activation.tanh, [4, 6], 600), (.relu, [7], 513)])
    func productsEqualTheAutodiffs(case: (Activation, [Int], Int)) {
        let f = fixture(`case`.0, hidden: `case`.1, rows: `case`.2)
        let rows = f.x.shape[0]
        let tape = MLPTape(mlp: f.mlp), workspace = MLPTape.Workspace()
        let theta = flat(f.theta), v = flat(f.v)
        var gradient = [Float](repeating: .nan, count: theta.count)
        var product = [Float](repeating: .nan, count: theta.count)
        var rmu = [Float](repeating: .nan, count: rows * 2)

        // Reference: the autodiff's gradient, HVP, JVP (as the gradient of uᵀJv in u) and JᵀMJv.
        let leaves = f.theta.requiringGradient()
        let g = gradients(of: loss(f, leaves), wrt: leaves, createGraph: true)
        let hv = gradients(of: g.dot(f.v.detached()), wrt: leaves)
        let mu = f.mlp(f.x, f.theta).scalars
        let probe = f.u.requiringGradient()
        let vjp = gradients(of: (probe * f.mlp(f.x, leaves)).sum(), wrt: leaves, createGraph: true)
        let jvp = gradients(of: vjp.dot(f.v.detached()), wrt: [probe])[0]
        let gaussNewton = gradients(of: ((f.w * jvp).detached() * f.mlp(f.x, leaves)).sum(), wrt: leaves)
        let w = f.w.scalars

        theta.withUnsafeBufferPointer { t in
            f.x.withUnsafeBufferPointer { x in tape.forward(t.baseAddress!, input: x.baseAddress!, rows: rows) }
            close(Array(tape.outputs), mu, "outputs")
            let dl = zip(zip(w, mu), f.u.scalars).map { wm, u in wm.0 * wm.1 + u }
            gradient.withUnsafeMutableBufferPointer { tape.backward(t.baseAddress!, outputGradient: dl, into: $0.baseAddress!) }
            close(gradient, flat(g), "gradient")

            v.withUnsafeBufferPointer { vp in
                product.withUnsafeMutableBufferPointer {
                    tape.hessianProduct(t.baseAddress!, vp.baseAddress!, into: $0.baseAddress!, workspace: workspace) { block, r, out in
                        for i in 0..<block.count * 2 {
                            rmu[block.lowerBound * 2 + i] = r[i]
                            out[i] = w[block.lowerBound * 2 + i] * r[i]
                        }
                    }
                }
                close(rmu, jvp.scalars, "Jacobian-vector product")
                close(product, flat(hv), "Hessian-vector product")
                product.withUnsafeMutableBufferPointer {
                    tape.gaussNewtonProduct(t.baseAddress!, vp.baseAddress!, into: $0.baseAddress!, workspace: workspace) { block, r, out in
                        for i in 0..<block.count * 2 { out[i] = w[block.lowerBound * 2 + i] * r[i] }
                    }
                }
                close(product, flat(gaussNewton), "Gauss–Newton product")
            }
        }
    }

    @Test func aTapeReusedForMoreRowsGrowsAndGivesTheSameNumbers() {
        let f = fixture(.tanh, hidden: [5])
        let theta = flat(f.theta)
        let tape = MLPTape(mlp: f.mlp)
        var rng = Xoshiro256(seed: 3)
        let small = Tensor.randomNormal([2, 3], using: &rng)
        theta.withUnsafeBufferPointer { t in
            small.withUnsafeBufferPointer { tape.forward(t.baseAddress!, input: $0.baseAddress!, rows: 2) }
            f.x.withUnsafeBufferPointer { tape.forward(t.baseAddress!, input: $0.baseAddress!, rows: 9) }
        }
        close(Array(tape.outputs), f.mlp(f.x, f.theta).scalars, "outputs after growing")
    }
}
