import Experiments
import Config
import NN

/// The outer optimiser of the meta-parameters.
public enum MetaOptimizer: String, Sendable, Codable, CaseIterable {
    case adam, sgd
}

/// Hyperparameters of meta-training, one documented field each; defaults are the paper's
/// sinusoid settings (Finn et al. 2017, §5.1).
public struct MetaLearnerSettings: Sendable, Codable, Equatable {
    /// Inner gradient steps per task during meta-training.
    public var innerSteps = 1
    /// Inner step size α.
    public var innerStepSize: Float = 0.01
    /// Meta-loss averaged over the query losses after every inner step, not only the last
    /// (MAML++'s multi-step loss, Antoniou et al. 2019). Off in the paper.
    public var multiStepLoss = false
    /// Learn a per-parameter α (Meta-SGD, Li et al. 2017), initialised to `innerStepSize`.
    public var learnInnerStepSize = false
    /// Outer optimiser and its step size β.
    public var metaOptimizer = MetaOptimizer.adam
    public var metaStepSize: Float = 0.001
    /// Tasks per meta-update.
    public var metaBatchSize = 25
    /// Reptile only: inner steps and inner step size on the task's pooled points.
    public var reptileInnerSteps = 10
    public var reptileInnerStepSize: Float = 0.01
    /// CAVIA only: the context's size and the inner step size on it (Zintgraf et al. 2019, sinusoid:
    /// 5 context parameters, inner step size 1, since the context starts at zero and only it moves).
    public var contextSize = 5
    public var contextStepSize: Float = 1
    /// Meta-LSTM only: the learner's updates on the support set, at training and test alike.
    public var metaLSTMSteps = 5
    /// Matching networks only: the full-context embeddings' attention steps K (0: without them).
    public var fullContextSteps = 0

    public init() {}
}

/// The log of one meta-update: one row of `progress.csv`.
public struct MetaStepLog: Sendable, Codable {
    /// The objective the update descended, averaged over the meta-batch (MAML: query loss at θ′).
    public var metaLoss: Float
    /// Query loss at θ, before adaptation.
    public var preAdaptationLoss: Float
    /// Query loss after adaptation (equals `preAdaptationLoss` for the baselines).
    public var postAdaptationLoss: Float
    /// ‖∇θ L_support(θ)‖, the norm of the first inner gradient, averaged over tasks.
    public var adaptationGradientNorm: Float
}

/// Meta-trains the parameters of a `FunctionalModel`: MAML, first-order MAML, Reptile, or the
/// joint training of the baselines. A value holding θ (and α), the optimiser state and the
/// iteration count; `step(on:)` takes one meta-update.
public struct MetaLearner: Sendable {
    /// The methods supervised meta-training supports (random initialisation is not trained).
    public static let methods: [Method] = [.maml, .fomaml, .reptile, .cavia, .protonet, .matching, .relation, .siamese,
                                           .metaLSTM, .metanet, .pretrained, .oracle]

    public let algorithm: Method
    public let settings: MetaLearnerSettings
    public let model: FunctionalModel
    /// The whole-episode classifier of the methods that have one (metric learners, meta-LSTM,
    /// MetaNet): it is trained on its episode loss, with no inner loop.
    public let episodeClassifier: EpisodeClassifier?
    /// θ followed, with Meta-SGD, by α under the names `innerStepSize.<name>`.
    public private(set) var trainable: Parameters
    public private(set) var adam: Adam
    public private(set) var iteration = 0

    public static let stepSizePrefix = "innerStepSize."

    public init(algorithm: Method, settings: MetaLearnerSettings, model: FunctionalModel, episodeClassifier: EpisodeClassifier? = nil,
                initialParameters: Parameters) {
        require((episodeClassifier != nil) == algorithm.classifiesEpisodes,
                "MetaLearner: \(algorithm.rawValue) \(algorithm.classifiesEpisodes ? "needs" : "takes no") episode classifier")
        self.algorithm = algorithm
        self.episodeClassifier = episodeClassifier
        self.settings = settings
        self.model = model
        var trainable = initialParameters
        if settings.learnInnerStepSize && (algorithm == .maml || algorithm == .fomaml) {
            let alpha = initialParameters.map { Tensor(repeating: settings.innerStepSize, shape: $0.shape) }
            trainable = Parameters(names: trainable.names + alpha.names.map { Self.stepSizePrefix + $0 },
                                   tensors: trainable.tensors + alpha.tensors)
        }
        self.trainable = trainable
        self.adam = Adam(learningRate: settings.metaStepSize)
    }

    /// θ, the model's parameters (without α).
    public var parameters: Parameters { Self.split(trainable).parameters }
    /// The learned per-parameter α, if any.
    public var stepSizes: Parameters? { Self.split(trainable).stepSizes }

    /// Separates θ from the learned α in a trainable set (names starting with `stepSizePrefix`).
    public static func split(_ trainable: Parameters) -> (parameters: Parameters, stepSizes: Parameters?) {
        let isAlpha = trainable.names.map { $0.hasPrefix(stepSizePrefix) }
        let theta = Parameters(names: zip(trainable.names, isAlpha).filter { !$0.1 }.map(\.0),
                               tensors: zip(trainable.tensors, isAlpha).filter { !$0.1 }.map(\.0))
        guard isAlpha.contains(true) else { return (theta, nil) }
        let alpha = Parameters(names: zip(trainable.names, isAlpha).filter(\.1).map { String($0.0.dropFirst(stepSizePrefix.count)) },
                               tensors: zip(trainable.tensors, isAlpha).filter(\.1).map(\.0))
        return (theta, alpha)
    }

    /// The inner loop this learner trains with.
    public var trainingAdaptation: SupportSetAdaptation {
        switch algorithm {
        case .maml: SupportSetAdaptation(steps: settings.innerSteps, stepSize: settings.innerStepSize, createGraph: true)
        case .fomaml: SupportSetAdaptation(steps: settings.innerSteps, stepSize: settings.innerStepSize, createGraph: false)
        case .reptile: SupportSetAdaptation(steps: settings.reptileInnerSteps, stepSize: settings.reptileInnerStepSize, createGraph: false)
        case .cavia: SupportSetAdaptation(steps: settings.innerSteps, stepSize: settings.contextStepSize, createGraph: true,
                                          adapted: Context.adapted(by: .cavia))
        case .protonet, .matching, .relation, .siamese, .metaLSTM, .metanet, .pretrained, .random, .oracle, .rl2: SupportSetAdaptation(steps: 0, stepSize: 0, createGraph: false)
        }
    }

    // MARK: - The meta-gradient

    /// The gradient the meta-optimiser descends, averaged over `tasks`, and the step's log.
    public func metaGradient(on tasks: [FewShotTask]) -> (gradient: Parameters, log: MetaStepLog) {
        require(!tasks.isEmpty, "MetaLearner.metaGradient: no tasks")
        if algorithm.adaptsInTraining, model.batchesTasks, let batch = TaskBatch(tasks) {
            return algorithm == .reptile ? reptileGradient(on: batch) : metaGradient(on: batch)
        }
        let inner = trainingAdaptation
        let scale = 1 / Float(tasks.count)
        var total = trainable.map { Tensor.zeros($0.shape) }
        var log = MetaStepLog(metaLoss: 0, preAdaptationLoss: 0, postAdaptationLoss: 0, adaptationGradientNorm: 0)
        for task in tasks {
            let pre = unadaptedLoss(task)
            switch algorithm {
            case .maml, .fomaml, .cavia:
                // θ (and α) as leaves; θ′ stays a function of them through the inner steps
                // (second order: through the inner gradients too). CAVIA adapts a zero context instead.
                let leaves = trainable.requiringGradient()
                let (theta, alpha) = Self.split(leaves)
                let (objective, queryLoss, adapted) = adaptedObjective(withContext(theta, tasks: nil), stepSizes: alpha,
                                                                       support: (task.supportInputs, task.supportTargets),
                                                                       query: (task.queryInputs, task.queryTargets))
                let g = gradients(of: objective, wrt: leaves)
                total = total.zip(g) { $0 + scale * $1 }
                log.metaLoss += scale * objective.scalar
                log.postAdaptationLoss += scale * queryLoss.scalar
                log.adaptationGradientNorm += scale * adapted.initialGradientNorm
            case .reptile:
                let adapted = inner.adapt(parameters.detached(), model: model, inputs: task.allInputs, targets: task.allTargets)
                total = total.zip(parameters.zip(adapted.parameters, -)) { $0 + scale * $1 }
                let post = withoutGradients { model.loss(adapted.parameters, task.queryInputs, task.queryTargets).scalar }
                let trainLoss = withoutGradients { model.loss(adapted.parameters, task.allInputs, task.allTargets).scalar }
                log.metaLoss += scale * trainLoss
                log.postAdaptationLoss += scale * post
                log.adaptationGradientNorm += scale * adapted.initialGradientNorm
            case .protonet, .matching, .relation, .siamese, .metaLSTM, .metanet:
                // Trained through the episode's own classifier: no inner loop.
                let leaves = trainable.requiringGradient()
                let loss = episodeClassifier!.loss(of: task, parameters: leaves)
                total = total.zip(gradients(of: loss, wrt: leaves)) { $0 + scale * $1 }
                log.metaLoss += scale * loss.scalar
                log.postAdaptationLoss += scale * pre
            case .pretrained, .random, .oracle, .rl2:
                let leaves = trainable.requiringGradient()
                let loss = model.loss(leaves, task.allInputs, task.allTargets)
                let g = gradients(of: loss, wrt: leaves)
                total = total.zip(g) { $0 + scale * $1 }
                log.metaLoss += scale * loss.scalar
                log.postAdaptationLoss += scale * pre
                log.adaptationGradientNorm += scale * g.tensors.reduce(Float(0)) { $0 + $1.scalars.reduce(0) { $0 + $1 * $1 } }.squareRoot()
            }
            log.preAdaptationLoss += scale * pre
        }
        return (total, log)
    }

    /// A task's query loss before any adaptation (episode classifiers: their episode loss).
    func unadaptedLoss(_ task: FewShotTask) -> Float {
        withoutGradients {
            if let episodeClassifier { return episodeClassifier.loss(of: task, parameters: parameters).scalar }
            return model.loss(withContext(parameters, tasks: nil), task.queryInputs, task.queryTargets).scalar
        }
    }

    /// MAML and first-order MAML on a meta-batch as one graph: θ is copied once per task, the
    /// inner loop adapts the copies together (the summed support loss gives each copy its own
    /// task's gradient), and the mean query loss is differentiated back through the copies to θ.
    /// The same meta-gradient as the loop over tasks, with one op per layer for all tasks.
    func metaGradient(on batch: TaskBatch) -> (gradient: Parameters, log: MetaStepLog) {
        let tasks = Float(batch.count)
        let leaves = trainable.requiringGradient()
        let (theta, alpha) = Self.split(leaves)
        let copies = withContext(batch.copies(of: theta), tasks: batch.count)
        let pre = withoutGradients { model.loss(copies, batch.queryInputs, batch.queryTargets).scalar } / tasks
        let (objective, queryLoss, adapted) = adaptedObjective(copies, stepSizes: alpha, support: (batch.supportInputs, batch.supportTargets),
                                                               query: (batch.queryInputs, batch.queryTargets), taskCount: tasks)
        let norms = adapted.initialGradient.map(batch.perTaskNorms) ?? []
        let log = MetaStepLog(metaLoss: objective.scalar, preAdaptationLoss: pre, postAdaptationLoss: queryLoss.scalar,
                              adaptationGradientNorm: norms.reduce(0, +) / tasks)
        return (gradients(of: objective, wrt: leaves), log)
    }

    /// At test time (CAVIA: θ with a zero context, of which only the context is adapted, with its
    /// trained step size; the others: θ, all adapted, with `stepSize`).
    public var testParameters: Parameters { Context.testParameters(parameters, algorithm: algorithm, size: settings.contextSize) }
    public var adaptedAtTest: Set<String>? { Context.adapted(by: algorithm) }
    public func testStepSize(otherwise stepSize: Float) -> Float { algorithm == .cavia ? settings.contextStepSize : stepSize }

    /// The parameters the model runs on: θ, and for CAVIA a zero context (one task, or each of
    /// `tasks` task-batched copies).
    func withContext(_ theta: Parameters, tasks: Int?) -> Parameters {
        algorithm == .cavia ? theta.appending(Context.zeros(size: settings.contextSize, tasks: tasks)) : theta
    }

    /// MAML's objective: the query loss at θ′ after the inner loop on the support set, or, with
    /// the multi-step loss, its mean over θ′ after every inner step. One task, or a batch's copies
    /// of θ at once (their summed loss divided by `taskCount` is the mean).
    func adaptedObjective(_ theta: Parameters, stepSizes alpha: Parameters?, support: (Tensor, Tensor), query: (Tensor, Tensor),
                          taskCount: Float = 1) -> (objective: Tensor, queryLoss: Tensor, adapted: SupportSetAdaptation.Result) {
        let inner = trainingAdaptation
        var stepLosses: [Tensor] = []
        let adapted = inner.adapt(theta, stepSizes: alpha, model: model, inputs: support.0, targets: support.1) { step, adaptedTheta in
            if settings.multiStepLoss && step >= 1 && step < inner.steps {
                stepLosses.append(model.loss(adaptedTheta, query.0, query.1) / taskCount)
            }
        }
        let queryLoss = model.loss(adapted.parameters, query.0, query.1) / taskCount
        let objective = stepLosses.isEmpty ? queryLoss : (stepLosses.reduce(queryLoss, +) / Float(stepLosses.count + 1))
        return (objective, queryLoss, adapted)
    }

    /// Reptile on a meta-batch as one graph: every task's copy of θ takes its SGD steps on the
    /// task's points at once; the update direction is θ minus the mean adapted copy.
    func reptileGradient(on batch: TaskBatch) -> (gradient: Parameters, log: MetaStepLog) {
        let tasks = Float(batch.count)
        let (inputs, targets) = batch.allPoints
        let pre = withoutGradients { model.loss(batch.copies(of: parameters), batch.queryInputs, batch.queryTargets).scalar } / tasks
        let adapted = trainingAdaptation.adapt(batch.copies(of: parameters).detached(), model: model, inputs: inputs, targets: targets)
        let (post, trainLoss) = withoutGradients {
            (model.loss(adapted.parameters, batch.queryInputs, batch.queryTargets).scalar / tasks,
             model.loss(adapted.parameters, inputs, targets).scalar / tasks)
        }
        let direction = withoutGradients { parameters.zip(adapted.parameters) { $0 - $1.mean(axis: 0) } }
        let norms = adapted.initialGradient.map(batch.perTaskNorms) ?? []
        return (direction, MetaStepLog(metaLoss: trainLoss, preAdaptationLoss: pre, postAdaptationLoss: post,
                                       adaptationGradientNorm: norms.reduce(0, +) / tasks))
    }

    /// One meta-update: θ ← optimiser(θ, meta-gradient). Returns the step's log.
    @discardableResult
    public mutating func step(on tasks: [FewShotTask]) -> MetaStepLog {
        let (g, log) = metaGradient(on: tasks)
        switch settings.metaOptimizer {
        case .adam: trainable = adam.update(trainable, gradients: g)
        case .sgd: trainable = withoutGradients { trainable.detached().zip(g) { $0 - settings.metaStepSize * $1 } }
        }
        if let alpha = stepSizes, !alpha.isFinite { require(false, "MetaLearner: learned step sizes became non-finite") }
        iteration += 1
        return log
    }

    /// Restores a saved state (resuming a run).
    public mutating func restore(trainable: Parameters, adam: Adam, iteration: Int) {
        require(trainable.names == self.trainable.names,
                "MetaLearner.restore: checkpoint holds \(trainable.names), the learner \(self.trainable.names)")
        self.trainable = trainable
        self.adam = adam
        self.iteration = iteration
    }
}
