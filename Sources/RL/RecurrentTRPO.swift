import Envs
import Parallel

extension Trials {
    /// Normalised GAE advantages row-aligned with the trials (0 on masked rows): each trial is one
    /// long episode (discounting runs across its episodes, as RL² optimises the return of the whole
    /// trial), its real steps compacted into an `Episodes` so the linear feature baseline, fitted on
    /// the GRU's inputs, and GAE are exactly the feed-forward learner's.
    public func advantages(gamma: Float, lambda: Float) -> [Float] {
        let inputSize = inputs.first?.shape[1] ?? 0, actionSize = actions.shape[1]
        let rowsOfTrial = (0..<count).map { k in (0..<length).filter { masks[$0].scalars[k] > 0 } }
        let steps = rowsOfTrial.map(\.count).max() ?? 0
        var observations = [Float](repeating: 0, count: steps * count * inputSize)
        var compactRewards = [Float](repeating: 0, count: steps * count), compactMasks = compactRewards
        for (k, rows) in rowsOfTrial.enumerated() {
            for (t, step) in rows.enumerated() {
                let row = t * count + k
                let input = inputs[step].scalars[k * inputSize..<(k + 1) * inputSize]
                observations.replaceSubrange(row * inputSize..<(row + 1) * inputSize, with: input)
                compactRewards[row] = rewards[step * count + k]
                compactMasks[row] = 1
            }
        }
        let compact = Episodes(task: task, count: count, length: steps,
                               observations: Tensor(shape: [steps * count, inputSize], scalars: observations),
                               actions: Tensor.zeros([steps * count, actionSize]), rewards: compactRewards, masks: compactMasks,
                               logProbabilities: Tensor.zeros([steps * count]))
        let compactAdvantages = compact.advantages(gamma: gamma, lambda: lambda)
        var result = [Float](repeating: 0, count: length * count)
        for (k, rows) in rowsOfTrial.enumerated() {
            for (t, step) in rows.enumerated() { result[step * count + k] = compactAdvantages[t * count + k] }
        }
        return result
    }

    /// The rows' masks as one vector [length · count], step-major.
    var rowMasks: Tensor { Tensor(shape: [length * count], scalars: masks.flatMap(\.scalars)) }
}

/// RL²'s outer loop (Duan et al. 2016): TRPO on whole trials, its gradient and Fisher-vector
/// products taken by the autodiff through the GRU's recurrence (backpropagation through time;
/// the Fisher product as the Hessian-vector product of the mean KL, exact, by double backward).
public struct RecurrentTRPO: Sendable {
    public var policy: GaussianGRUPolicy
    public var trpo: TRPOSettings
    public var gamma: Float
    public var lambda: Float

    public init(policy: GaussianGRUPolicy, trpo: TRPOSettings = TRPOSettings(), gamma: Float = 0.99, lambda: Float = 1) {
        self.policy = policy
        self.trpo = trpo
        self.gamma = gamma
        self.lambda = lambda
    }

    /// What one update did.
    public struct Log: Sendable {
        public var surrogateBefore = 0.0, surrogateAfter = 0.0, kl = 0.0
        /// Backtracking steps of the accepted update, −1 if none was accepted (θ is then kept).
        public var lineSearchSteps = -1
        public var rejection: String?
    }

    /// Several tasks' trials stacked along the trial axis (row t·C + c over all C of their trials,
    /// shorter trials padded with masked rows), with their advantages, the acting policy's means
    /// (the KL's centre) and row weights mask / (real steps of the row's task × tasks in the
    /// update): a weighted sum over the stack is the sum of its tasks' means, so the stacks' sums
    /// add up to the mean over tasks. Stacking makes each GRU step one matrix product over many
    /// tasks instead of one small product per task.
    struct Batch {
        let inputs: [Tensor]
        let masks: [Tensor]
        let actions: Tensor
        let logProbabilities: Tensor
        let advantages: Tensor
        let weights: Tensor
        let oldMeans: Tensor

        init(_ trials: [Trials], advantages: [[Float]], taskCount: Int, oldMeans: (_ inputs: [Tensor], _ masks: [Tensor]) -> Tensor) {
            let length = trials.map(\.length).max() ?? 0, width = trials.reduce(0) { $0 + $1.count }
            let inputSize = trials[0].inputs[0].shape[1], actionSize = trials[0].actions.shape[1]
            var inputs: [Tensor] = [], masks: [Tensor] = []
            var actions = [Float](repeating: 0, count: length * width * actionSize)
            var logProbabilities = [Float](repeating: 0, count: length * width), rowAdvantages = logProbabilities, weights = logProbabilities
            let realSteps = trials.map { Swift.max(1, $0.rowMasks.sum().scalar) }
            for t in 0..<length {
                inputs.append(Tensor.concatenate(trials.map { t < $0.length ? $0.inputs[t] : Tensor.zeros([$0.count, inputSize]) }, axis: 0))
                masks.append(Tensor.concatenate(trials.map { t < $0.length ? $0.masks[t] : Tensor.zeros([$0.count, 1]) }, axis: 0))
                var column = 0
                for (i, trial) in trials.enumerated() {
                    defer { column += trial.count }
                    guard t < trial.length else { continue }
                    let mask = trial.masks[t].scalars, from = t * trial.count, to = t * width + column
                    let trialActions = trial.actions.scalars, trialLogP = trial.logProbabilities.scalars
                    for k in 0..<trial.count {
                        for j in 0..<actionSize { actions[(to + k) * actionSize + j] = trialActions[(from + k) * actionSize + j] }
                        logProbabilities[to + k] = trialLogP[from + k]
                        rowAdvantages[to + k] = advantages[i][from + k]
                        weights[to + k] = mask[k] / (realSteps[i] * Float(taskCount))
                    }
                }
            }
            self.inputs = inputs
            self.masks = masks
            self.actions = Tensor(shape: [length * width, actionSize], scalars: actions)
            self.logProbabilities = Tensor(logProbabilities)
            self.advantages = Tensor(rowAdvantages)
            self.weights = Tensor(weights)
            self.oldMeans = oldMeans(inputs, masks)
        }
    }

    /// The stack's share of the surrogate −E[ratio · A] and of the mean KL from the acting policy.
    func objective(_ parameters: Parameters, _ b: Batch, oldLogStd: Tensor) -> (surrogate: Tensor, kl: Tensor) {
        let logProbability = policy.logProbability(inputs: b.inputs, masks: b.masks, actions: b.actions, parameters)
        let ratio = (logProbability - b.logProbabilities).exp()
        let surrogate = -(ratio * b.advantages * b.weights).sum()
        let kl = (policy.kl(inputs: b.inputs, masks: b.masks, oldMeans: b.oldMeans, oldLogStd: oldLogStd, parameters) * b.weights).sum()
        return (surrogate, kl)
    }

    /// One stack's pieces of the update: its surrogate's gradient and its KL's gradient kept as a
    /// graph (for F v = ∇(∇KL · v)), on leaves of its own so stacks run on separate cores.
    struct TaskTerms: @unchecked Sendable {
        let leaves: Parameters
        let surrogate: Double
        let gradient: Tensor
        let klGradient: Parameters
    }

    /// One TRPO update of θ on `trials` (one element per task; they must have been sampled with θ).
    /// The tasks are split into one stack per worker, in task order.
    public func step(_ theta: Parameters, trials: [Trials], workers: Int = 2) -> (Parameters, Log) {
        var log = Log()
        let theta = theta.detached()
        let oldLogStd = theta[GaussianGRUPolicy.logStdName]
        let advantages = parallelMap(trials.count, workers: workers) { i, _ in trials[i].advantages(gamma: gamma, lambda: lambda) }
        let stacks = Swift.max(1, Swift.min(workers, trials.count))
        let bounds = (0...stacks).map { $0 * trials.count / stacks }
        let batches = parallelMap(stacks, workers: workers) { s, _ in
            Batch(Array(trials[bounds[s]..<bounds[s + 1]]), advantages: Array(advantages[bounds[s]..<bounds[s + 1]]), taskCount: trials.count) {
                inputs, masks in withoutGradients { Tensor.concatenate(policy.means(inputs, masks: masks, theta), axis: 0) }
            }
        }
        let terms = parallelMap(batches.count, workers: workers) { i, _ in
            let leaves = theta.requiringGradient()
            let (surrogate, kl) = objective(leaves, batches[i], oldLogStd: oldLogStd)
            return TaskTerms(leaves: leaves, surrogate: Double(surrogate.scalar), gradient: gradients(of: surrogate, wrt: leaves).flattened(),
                             klGradient: gradients(of: kl, wrt: leaves, createGraph: true))
        }
        let lossBefore = terms.map(\.surrogate).reduce(0, +)
        log.surrogateBefore = lossBefore
        let g = terms.dropFirst().reduce(terms[0].gradient) { $0 + $1.gradient }
        let fisherProduct = { (v: Tensor) -> Tensor in
            let direction = theta.unflattened(v)
            let products = parallelMap(terms.count, workers: workers) { i, _ in
                gradients(of: terms[i].klGradient.dot(direction), wrt: terms[i].leaves).flattened()
            }
            return products.dropFirst().reduce(products[0], +) + trpo.cgDamping * v
        }
        let (direction, fisherDirection) = conjugateGradient(fisherProduct, g, iterations: trpo.cgIterations)
        let curvature = 0.5 * (direction * fisherDirection).sum().scalar
        guard direction.scalars.allSatisfy(\.isFinite), curvature.isFinite, curvature > 0 else {
            log.rejection = "non-finite or non-positive natural-gradient step (sᵀFs/2 = \(curvature))"
            return (theta, log)
        }
        let fullStep = direction * (trpo.maxKL / curvature).squareRoot()
        let flat = theta.flattened()
        let accepted = backtrackingLineSearch(ratio: trpo.lineSearchRatio, maxSteps: trpo.lineSearchSteps, { scale in
            let candidate = theta.unflattened(flat - scale * fullStep)
            let values = parallelMap(batches.count, workers: workers) { i, _ in
                withoutGradients { objective(candidate, batches[i], oldLogStd: oldLogStd) }
            }
            return (candidate, values.map { Double($0.surrogate.scalar) }.reduce(0, +), values.map { Double($0.kl.scalar) }.reduce(0, +))
        }, accept: { _, loss, kl in loss.isFinite && kl.isFinite && loss < lossBefore && kl <= Double(trpo.maxKL) })
        guard let accepted, accepted.value.0.isFinite else {
            log.rejection = "line search found no step that improves the surrogate within KL ≤ \(trpo.maxKL)"
            log.surrogateAfter = lossBefore
            return (theta, log)
        }
        log.lineSearchSteps = accepted.index
        log.surrogateAfter = accepted.value.1
        log.kl = accepted.value.2
        return (accepted.value.0, log)
    }
}
