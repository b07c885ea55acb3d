import Foundation
import NN

/// Meta-training of the LSTM optimizer (Andrychowicz et al. 2016, §2 and §3): draw a problem,
/// let the optimizer run `unrollSteps` steps on it, and after every `truncation` steps take one
/// Adam step on φ down the gradient of that window's meta-loss Σ_t f(θ_t) (all weights w_t = 1),
/// then carry on from the same θ and memory, cut from the graph.
///
/// Non-finite windows: if a window's meta-loss or meta-gradient is not finite (the optimizee
/// diverged), that update is skipped, the trajectory abandoned, and the iteration's log counts it;
/// φ and Adam's moments never see a NaN. Training stops with an error after
/// `maximumConsecutiveSkips` skipped iterations in a row.
public struct MetaTrainer {
    public let config: LearnedOptimizerConfig
    public let optimizer: LSTMOptimizer
    public let problems: ProblemSource
    public private(set) var phi: Parameters
    public private(set) var adam: Adam
    /// Trajectories completed (or abandoned) so far.
    public private(set) var iteration = 0
    public private(set) var rng: Xoshiro256
    public private(set) var consecutiveSkips = 0
    public static let maximumConsecutiveSkips = 20

    public struct Log: Sendable {
        /// Mean over steps and problems of f_t(θ_t), t = 1…T (the meta-loss per step).
        public var metaLoss: Double
        /// Mean over problems of f_T(θ_T).
        public var finalLoss: Double
        /// Windows whose update was skipped as non-finite (the trajectory stops at the first).
        public var skippedWindows: Int
        /// Largest ‖∇_φ‖ of the windows (before Adam).
        public var gradientNorm: Double
    }

    public struct Diverged: Error, CustomStringConvertible {
        public let iteration: Int
        public var description: String {
            "meta-training stopped at iteration \(iteration): \(MetaTrainer.maximumConsecutiveSkips) trajectories in a row had a non-finite meta-loss or meta-gradient (try a smaller metaLearningRate or outputScale)"
        }
    }

    /// A new run: φ₀ and the problem stream from `config.seed`.
    public init(config: LearnedOptimizerConfig, problems: ProblemSource) {
        self.config = config
        self.optimizer = config.optimizer
        self.problems = problems
        var rng = Xoshiro256(seed: config.seed)
        phi = optimizer.initialParameters(using: &rng)
        self.rng = rng
        adam = Adam(learningRate: config.metaLearningRate)
    }

    /// Restores the state a checkpoint holds.
    public mutating func restore(_ state: TrainingState) {
        phi = state.phi
        adam = state.adam
        iteration = state.iteration
        rng = state.rng
    }

    /// One trajectory on a fresh problem: `unrollSteps / truncation` (rounded up) meta-updates.
    public mutating func trainIteration() throws -> Log {
        let problem = problems.trainingProblem(using: &rng)
        var trajectory = Trajectory(problem, optimizer: optimizer)
        var sum = 0.0, count = 0, skipped = 0, largest = 0.0
        while trajectory.step < config.unrollSteps {
            let steps = min(config.truncation, config.unrollSteps - trajectory.step)
            let tracked = phi.requiringGradient()
            let window = trajectory.advance(steps, problem: problem, optimizer: optimizer, phi: tracked, metaLoss: true)
            let grads = gradients(of: window.metaLoss, wrt: tracked.tensors)
            let norm = Double(grads.reduce(0) { $0 + $1.sumOfSquares() }).squareRoot()
            guard window.metaLoss.scalar.isFinite, norm.isFinite else { skipped += 1; break }
            phi = adam.update(phi, gradients: Parameters(names: phi.names, tensors: grads))
            largest = max(largest, norm)
            for row in window.losses { sum += row.reduce(0.0) { $0 + Double($1) } / Double(row.count); count += 1 }
            trajectory.truncate()
        }
        iteration += 1
        consecutiveSkips = skipped > 0 ? consecutiveSkips + 1 : 0
        if consecutiveSkips >= Self.maximumConsecutiveSkips { throw Diverged(iteration: iteration) }
        let final = trajectory.losses.reduce(0.0) { $0 + Double($1) } / Double(max(trajectory.losses.count, 1))
        return Log(metaLoss: count > 0 ? sum / Double(count) : .nan, finalLoss: skipped > 0 ? .nan : final,
                   skippedWindows: skipped, gradientNorm: largest)
    }

    /// The state to save.
    public func state(elapsed: Double) -> TrainingState {
        TrainingState(phi: phi, adam: adam, iteration: iteration, rng: rng, elapsed: elapsed)
    }
}
