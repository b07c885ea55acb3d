import NN

/// The task-specific adaptation of MAML: N steps of gradient descent on the support loss,
/// θ′ = θ − α ⊙ ∇θ L_support(θ) (Finn et al. 2017, Eq. 1; Meta-SGD's per-parameter α when
/// `stepSizes` are given, Li et al. 2017). The single implementation used by meta-training
/// (MAML, first-order MAML, Reptile, the baselines' fine-tuning) and by evaluation.
public struct SupportSetAdaptation: Sendable {
    /// Gradient steps on the support set.
    public var steps: Int
    /// α, used when no per-parameter step sizes are given.
    public var stepSize: Float
    /// Record the inner gradients so the meta-gradient differentiates through them (second-order
    /// MAML). When false the inner gradients are constants: first-order MAML, and evaluation.
    public var createGraph: Bool
    /// The names of the parameters the steps change (nil: all). CAVIA adapts only its context;
    /// the others still shape the loss, so second-order gradients reach them through it.
    public var adapted: Set<String>?

    public init(steps: Int, stepSize: Float, createGraph: Bool, adapted: Set<String>? = nil) {
        require(steps >= 0, "SupportSetAdaptation: steps must be ≥ 0, got \(steps)")
        self.steps = steps
        self.stepSize = stepSize
        self.createGraph = createGraph
        self.adapted = adapted
    }

    public struct Result: Sendable {
        /// θ′ after `steps` updates; a function of θ (and α) in the graph when θ was tracked.
        public var parameters: Parameters
        /// Support loss at θ, before any step.
        public var initialLoss: Float
        /// ∇θ L_support(θ) at the first step, as values (nil when steps = 0).
        public var initialGradient: Parameters?
        /// ‖∇θ L_support(θ)‖ at the first step (0 when steps = 0).
        public var initialGradientNorm: Float {
            (initialGradient?.tensors.reduce(Float(0)) { $0 + $1.sumOfSquares() } ?? 0).squareRoot()
        }
    }

    /// Adapts `parameters` to the support set `(inputs, targets)`.
    ///
    /// - Parameters:
    ///   - stepSizes: per-parameter α shaped like `parameters` (Meta-SGD), or nil for `stepSize`.
    ///   - observe: called with (step, parameters) before the first step and after every step;
    ///     evaluation reads the query loss there.
    public func adapt(_ parameters: Parameters, stepSizes: Parameters? = nil, model: FunctionalModel,
                      inputs: Tensor, targets: Tensor,
                      observe: ((Int, Parameters) -> Void)? = nil) -> Result {
        // When θ is not part of a graph (evaluation, Reptile), each step starts from a fresh leaf
        // and nothing links θ′ back to θ; otherwise θ′ stays a function of θ.
        let linked = parameters.tensors.allSatisfy(\.isTracked)
        var theta = parameters
        var initialLoss = Float.nan
        var initialGradient: Parameters?
        observe?(0, theta)
        for step in 0..<steps {
            if !linked { theta = theta.detached().requiringGradient() }
            let loss = model.loss(theta, inputs, targets)
            let changed = adapted.map { theta.subset($0) } ?? theta
            let g = gradients(of: loss, wrt: changed, createGraph: createGraph)
            if step == 0 {
                initialLoss = loss.scalar
                initialGradient = g.detached()
            }
            let stepped = stepSizes.map { changed.zip($0.zip(g, *), -) } ?? changed.zip(g) { $0 - stepSize * $1 }
            theta = adapted == nil ? stepped : theta.replacing(with: stepped)
            if !linked { theta = theta.detached() }
            observe?(step + 1, theta)
        }
        if steps == 0 { initialLoss = withoutGradients { model.loss(theta, inputs, targets).scalar } }
        return Result(parameters: theta, initialLoss: initialLoss, initialGradient: initialGradient)
    }
}
