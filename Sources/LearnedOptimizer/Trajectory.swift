import NN

/// One optimization run driven by the learned optimizer, advanced a window at a time: θ_t, the
/// optimizer's memory, the step t and the gradient ∇f_t(θ_t) the next update reads.
public struct Trajectory {
    public private(set) var theta: Tensor
    public private(set) var state: LSTMOptimizer.State
    public private(set) var step = 0
    /// ∇f_t(θ_t), a constant (see `Optimizee.lossesAndGradient`).
    public private(set) var gradient: Tensor
    /// f_t(θ_t) of each problem at the current step.
    public private(set) var losses: [Float]

    /// A run starting at the problem's θ₀ with empty memory.
    public init(_ problem: any Optimizee, optimizer: LSTMOptimizer) {
        theta = problem.initialPoint
        state = optimizer.initialState(coordinates: theta.count)
        (losses, gradient) = problem.lossesAndGradient(at: theta, step: 0)
    }

    /// What a window of steps produced: the meta-loss Σ_t mean_k f_t(θ_t) over its steps (a graph
    /// in φ when `metaLoss` was asked for, else 0) and the losses [step][problem].
    public struct Window {
        public var metaLoss: Tensor
        public var losses: [[Float]]
    }

    /// Takes `steps` steps θ_{t+1} = θ_t + m(∇f_t(θ_t); φ). With `metaLoss`, also builds the
    /// differentiable meta-loss: f is evaluated a second time at θ_{t+1} as a function of φ,
    /// while the gradient fed to m comes from a detached copy (the paper's first-order choice).
    /// `replay` replaces the computed gradients by given ones (for checking the meta-gradient of
    /// exactly that function against finite differences).
    public mutating func advance(_ steps: Int, problem: any Optimizee, optimizer: LSTMOptimizer, phi: Parameters,
                                 metaLoss: Bool, replay: [Tensor]? = nil) -> Window {
        var total = Tensor(0)
        var record: [[Float]] = []
        for s in 0..<steps {
            let next = optimizer.step(gradient: gradient, state, phi)
            theta = theta + next.update
            state = next.state
            step += 1
            if metaLoss { total = total + problem.losses(theta, step: step).mean() }
            (losses, gradient) = problem.lossesAndGradient(at: theta, step: step)
            if let replay { gradient = replay[s] }
            record.append(losses)
        }
        return Window(metaLoss: total, losses: record)
    }

    /// Cuts θ and the memory from the graph: the next window's meta-gradient stops here
    /// (truncated backpropagation through time).
    public mutating func truncate() {
        theta = theta.detached()
        state = state.detached()
    }
}
