/// One task's meta-objective around θ, as TRPO needs it: the post-adaptation surrogate S(θ′(θ)),
/// its gradient in θ, and Fisher-vector products of the mean KL between the old and the new
/// adapted policies — all through the adaptation θ′ = θ_n, θ_k = θ_{k−1} − α_k ∇L_k(θ_{k−1}).
///
/// Both are chain rules through the adaptation's Jacobian J = dθ′/dθ = Π_k (I − α_k H_k), with
/// H_k the Hessian of the k-th inner loss (symmetric, so Jᵀ is the same factors in reverse order):
/// ∇θ S = Jᵀ ∇θ′ S, and at the trust region's centre, where the KL and its gradient vanish,
/// ∇²θ KL = Jᵀ (∇²θ′ KL) J exactly (the term with ∇θ′ KL drops out). Each product then costs two
/// Hessian-vector products per inner step and one of the KL at θ′, all second order, instead of
/// differentiating the KL's gradient through the inner step a third time; the result is the same
/// exact Hessian (tested against that direct form and against finite differences).
///
/// CAVIA's inner loop steps its context alone, θ_k = θ_{k−1} − α_k M ∇L_k with M the projection
/// on φ (from φ = 0), so J's factors become I − α_k M H_k and Jᵀ's I − α_k H_k M; the meta-update
/// then reads the θ part of the results, as φ is not meta-trained.
struct TaskObjective: MetaObjective, @unchecked Sendable {
    /// S(θ′) at θ (a constant).
    let surrogateValue: Tensor
    /// ∇θ S(θ′(θ)).
    let surrogateGradients: Parameters
    /// The adapted policy the KL is measured from: its means on the post-adaptation batch and log σ.
    let oldMeans: Tensor
    let oldLogStd: Tensor
    /// Each inner step's gradient as a graph of the parameters it was taken at (empty for
    /// first-order MAML, whose J is the identity, and for the baselines, which do not adapt).
    private let innerSteps: [InnerStep]
    /// θ′ as graph leaves, and ∇θ′ KL as a graph of them.
    private let adapted: Parameters
    private let klGradient: Parameters
    private let rollout: TaskRollout
    private let inner: PolicyGradientAdaptation
    /// θ's names and shapes, to read flat vectors (without CAVIA's context).
    private let template: Parameters

    init(_ rollout: TaskRollout, at theta: Parameters, inner: PolicyGradientAdaptation, firstOrder: Bool) {
        self.rollout = rollout
        self.inner = inner
        template = theta.detached()
        var current = inner.policy.withContext(theta).detached()
        var steps: [InnerStep] = []
        for (k, batch) in rollout.adaptation.enumerated() {
            let at = current.requiringGradient()
            let g = inner.gradient(at, on: batch, createGraph: !firstOrder)
            if !firstOrder { steps.append(InnerStep(at: at, gradient: g, stepSize: inner.stepSize(k))) }
            current = inner.update(current, inner.projected(g.detached()), index: k)
        }
        innerSteps = steps
        adapted = current.requiringGradient()
        let policy = inner.policy
        let batch = rollout.validation
        oldMeans = withoutGradients { policy.means(batch.episodes.observations, current) }
        oldLogStd = current[GaussianMLPPolicy.logStdName]
        let s = policy.surrogateLoss(batch.episodes, advantages: batch.advantages, adapted)
        surrogateValue = s.detached()
        let kl = policy.meanKL(batch.episodes, oldMeans: oldMeans, oldLogStd: oldLogStd, adapted)
        klGradient = gradients(of: kl, wrt: adapted, createGraph: true)
        surrogateGradients = Self.pullBack(gradients(of: s, wrt: adapted), through: steps, inner).subset(Set(template.names))
    }

    var surrogate: Double { Double(surrogateValue.scalar) }
    var surrogateGradient: [Float] { surrogateGradients.flattened().scalars }

    func fisherProduct(_ v: [Float], workspace: MetaWorkspace) -> [Float] {
        fisherProduct(template.unflattened(Tensor(v))).flattened().scalars
    }

    func evaluate(_ candidate: [Float], workspace: MetaWorkspace) -> (loss: Double, kl: Double) {
        let parameters = template.unflattened(Tensor(candidate))
        let adapted = inner.adapt(parameters, on: rollout.adaptation, createGraph: false).detached()
        return withoutGradients {
            let batch = rollout.validation
            let loss = inner.policy.surrogateLoss(batch.episodes, advantages: batch.advantages, adapted)
            let kl = inner.policy.meanKL(batch.episodes, oldMeans: oldMeans, oldLogStd: oldLogStd, adapted)
            return (Double(loss.scalar), Double(kl.scalar))
        }
    }

    /// The adapted parameters θ′.
    var adaptedParameters: Parameters { adapted.detached() }

    /// F v = Jᵀ (∇²θ′ KL) J v, the exact Hessian of the mean KL in θ at the trust region's centre.
    func fisherProduct(_ v: Parameters) -> Parameters {
        let w = Self.pushForward(inner.policy.withContext(v).detached(), through: innerSteps, inner)
        return Self.pullBack(gradients(of: klGradient.dot(w), wrt: adapted), through: innerSteps, inner).subset(Set(template.names))
    }

    /// J v: a direction in θ (and φ) carried to θ′, first step first.
    private static func pushForward(_ v: Parameters, through steps: [InnerStep], _ inner: PolicyGradientAdaptation) -> Parameters {
        steps.reduce(v) { w, step in w.zip(inner.projected(step.hessianProduct(w))) { $0 - step.stepSize * $1 } }
    }

    /// Jᵀ u: a gradient at θ′ carried back to θ (and φ), last step first.
    private static func pullBack(_ u: Parameters, through steps: [InnerStep], _ inner: PolicyGradientAdaptation) -> Parameters {
        steps.reversed().reduce(u) { w, step in w.zip(step.hessianProduct(inner.projected(w))) { $0 - step.stepSize * $1 } }
    }
}

/// One inner step's gradient ∇L_k as a graph of the parameters θ_{k−1} it was taken at.
private struct InnerStep {
    let at: Parameters
    let gradient: Parameters
    let stepSize: Float

    /// H_k w, as the gradient of ∇L_k · w.
    func hessianProduct(_ w: Parameters) -> Parameters {
        gradients(of: gradient.dot(w.detached()), wrt: at)
    }
}
