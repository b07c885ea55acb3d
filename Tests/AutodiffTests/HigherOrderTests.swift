import Testing
import Autodiff
import NN
import TestSupport

/// Hessian-vector products, third derivatives and a MAML meta-gradient: the uses that need
/// gradients of gradients.
@Suite struct HigherOrderTests {
    /// H·v computed as the gradient of ⟨∇f, v⟩.
    func hessianVectorProduct(_ f: ([Tensor]) -> Tensor, at x: [Tensor], _ v: [Tensor]) -> [Tensor] {
        let g = gradients(of: f(x), wrt: x, createGraph: true)
        let gv = zip(g, v).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
        return gradients(of: gv, wrt: x)
    }

    @Test func hessianOfQuadraticIsExact() {
        // f(x) = ½ xᵀAx + bᵀx with symmetric A: H = A exactly, so H·v = A·v.
        let a = Tensor([[4, 1, 0.5], [1, 3, -0.2], [0.5, -0.2, 2]])
        let b = Tensor(shape: [3, 1], scalars: [0.1, -0.3, 0.7])
        let x = Tensor(shape: [3, 1], scalars: [0.5, -1, 2]).requiringGradient()
        let v = Tensor(shape: [3, 1], scalars: [1, 2, -1])
        let f: ([Tensor]) -> Tensor = { xs in
            0.5 * Tensor.matmul(xs[0], a.matmul(xs[0]), transposeA: true).sum() + (b * xs[0]).sum()
        }
        let hv = hessianVectorProduct(f, at: [x], [v])[0]
        #expect(isClose(hv, a.matmul(v), tolerance: 1e-5), "H·v = \(hv), expected \(a.matmul(v))")
    }

    @Test func mlpHessianVectorProductMatchesFiniteDifferencesOfGradients() {
        var rng = Xoshiro256(seed: 7)
        let mlp = MLP(sizes: [3, 8, 2], activation: .tanh)
        let params = mlp.initialParameters(using: &rng)
        let x = Tensor.randomNormal([5, 3], using: &rng)
        let target = Tensor.randomNormal([5, 2], using: &rng)
        let loss: ([Tensor]) -> Tensor = { p in (mlp(x, Parameters(names: params.names, tensors: p)) - target).square().mean() }
        let theta = params.tensors.map { $0.requiringGradient() }
        let v = params.tensors.map { Tensor.randomNormal($0.shape, using: &rng) }
        let hv = hessianVectorProduct(loss, at: theta, v)

        // Five-point central differences of the (exact) gradient along v.
        func gradientAt(_ offset: Float) -> [Tensor] {
            let shifted = zip(params.tensors, v).map { ($0 + offset * $1).requiringGradient() }
            return gradients(of: loss(shifted), wrt: shifted)
        }
        let h: Float = 1e-2
        let (p1, m1, p2, m2) = (gradientAt(h), gradientAt(-h), gradientAt(2 * h), gradientAt(-2 * h))
        let numeric: [[Double]] = (0..<p1.count).map { i in
            let near: Tensor = 8 * (p1[i] - m1[i])
            let far: Tensor = p2[i] - m2[i]
            return ((near - far) / (12 * h)).scalars.map(Double.init)
        }
        let error = GradientCheck.maxRelativeError(hv.map { $0.scalars.map(Double.init) }, numeric)
        #expect(error < 2e-3, "HVP relative error \(error)")
    }

    @Test func thirdDerivativeOfKnownFunction() {
        // f(x) = Σ sin-free closed form: f = Σ x⁴/4 + e^x. f‴ = 6x + eˣ.
        // Gradient of ⟨H(x)v, w⟩ with respect to x is f‴(x)·v·w element-wise (diagonal Hessian).
        let x0 = Tensor([0.3, -0.7, 1.2])
        let v = Tensor([1, -2, 0.5]), w = Tensor([0.4, 1, -1.5])
        let x = x0.requiringGradient()
        let f = (x.pow(4) / 4 + x.exp()).sum()
        let g = gradient(of: f, wrt: x, createGraph: true)
        let hv = gradient(of: (g * v).sum(), wrt: x, createGraph: true)
        let third = gradient(of: (hv * w).sum(), wrt: x)
        let expected = (6 * x0 + x0.exp()) * v * w
        #expect(isClose(third, expected, tolerance: 1e-5), "third derivative \(third), expected \(expected)")
    }

    @Test func oneStepMAMLMetaGradientMatchesFiniteDifferences() {
        var rng = Xoshiro256(seed: 11)
        let mlp = MLP(sizes: [1, 6, 6, 1], activation: .tanh)
        let params = mlp.initialParameters(using: &rng)
        let (xs, ys) = (Tensor.randomNormal([4, 1], using: &rng), Tensor.randomNormal([4, 1], using: &rng))
        let (xq, yq) = (Tensor.randomNormal([6, 1], using: &rng), Tensor.randomNormal([6, 1], using: &rng))
        let alpha: Float = 0.3
        // Post-adaptation loss L_query(θ − α ∇L_support(θ)) as a function of θ.
        let metaLoss: ([Tensor]) -> Tensor = { input in
            let theta = input.map { $0.isTracked ? $0 : $0.requiringGradient() }
            let p = Parameters(names: params.names, tensors: theta)
            let inner = (mlp(xs, p) - ys).square().mean()
            let g = gradients(of: inner, wrt: theta, createGraph: true)
            let adapted = Parameters(names: params.names, tensors: zip(theta, g).map { $0 - alpha * $1 })
            return (mlp(xq, adapted) - yq).square().mean()
        }
        let error = GradientCheck.maxError(metaLoss, at: params.tensors)
        #expect(error < 2e-3, "meta-gradient relative error \(error)")
        // Second and third order through the inner step, as TRPO-over-MAML uses.
        let second = GradientCheck.maxError(order: 2, metaLoss, at: params.tensors)
        #expect(second < 5e-3, "Hessian of the meta-loss: relative error \(second)")
    }

    @Test func createGraphFalseRecordsNothing() {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let g = gradient(of: (x * x).sum(), wrt: x)
        #expect(!g.isTracked)
        #expect(g.scalars == [2, 4, 6])
        let h = gradient(of: (x * x * x).sum(), wrt: x, createGraph: true)
        #expect(h.isTracked)
    }

    @Test func noGradientScopeAndDetach() {
        let x = Tensor([1, 2]).requiringGradient()
        let y = withoutGradients { x * x }
        #expect(!y.isTracked)
        let z = (x.detached() * x).sum()  // d/dx (c·x) with c = x held constant = x
        #expect(gradient(of: z, wrt: x).scalars == [1, 2])
        let unrelated = Tensor([5, 5]).requiringGradient()
        #expect(gradient(of: z, wrt: unrelated).scalars == [0, 0])
    }
}
