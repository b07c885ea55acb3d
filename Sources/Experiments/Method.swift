/// The methods Adapt trains and compares, in reinforcement and supervised learning alike: the
/// `algorithm` of a config and a checkpoint, `--algo` on the command line, a row of every
/// comparison. A stack trains the ones it supports (`MetaRLTrainer.methods`, the supervised
/// learner's) and says so for the others.
public enum Method: String, Sendable, Codable, CaseIterable {
    /// MAML (Finn et al. 2017, Algorithms 2 and 3): the meta-gradient differentiates through the
    /// inner steps, second derivatives included.
    case maml
    /// First-order MAML (Finn et al. 2017, §5.2; Nichol et al. 2018): the inner gradients are
    /// treated as constants, so the meta-gradient is the query gradient at the adapted θ′.
    case fomaml
    /// Reptile (Nichol et al. 2018, Algorithm 1): adapt on a task, then move θ towards the adapted
    /// θ̃; the meta-optimiser receives θ − θ̃ as its gradient.
    case reptile
    /// CAVIA (Zintgraf et al. 2019, "Fast Context Adaptation via Meta-Learning"): a context vector
    /// fed to the first layer, set to zero for each task, is all the inner loop adapts; the shared
    /// parameters are meta-trained through that adaptation, second derivatives included.
    case cavia
    /// RL² (Duan et al. 2016): a recurrent policy whose state, kept across the episodes of a task,
    /// does the adapting; trained by TRPO on whole trials. No gradient step at test time.
    case rl2
    /// Prototypical networks (Snell et al. 2017): an embedding trained on episodes so that each
    /// query lies nearest the mean embedding of its class's support examples. Nothing is adapted
    /// at test time: the support set places the prototypes.
    case protonet
    /// Matching networks (Vinyals et al. 2016): an embedding trained on episodes so that a query's
    /// cosine-similarity attention over the support examples lands on its class.
    case matching
    /// Relation networks (Sung et al. 2018): an embedding and a learned relation module that
    /// scores each (class, query) pair.
    case relation
    /// Siamese networks (Koch et al. 2015): twin embeddings and a learned weighted L1 distance,
    /// trained to verify whether two images show the same class; one-shot by the nearest support.
    case siamese
    /// The meta-LSTM (Ravi & Larochelle 2017): an LSTM whose cell state is the classifier's
    /// parameters learns to train it on the support set, its gates the step sizes and decay.
    case metaLSTM = "meta-lstm"
    /// Meta Networks (Munkhdalai & Yu 2017): fast weights generated from the support examples'
    /// loss gradients, read from a memory by the query's embedding.
    case metanet
    /// The pretrained baseline (Finn et al. 2017, §5.1, §5.3): one model trained on tasks of the
    /// distribution without adaptation, fine-tuned by gradient steps at test time.
    case pretrained
    /// The random-initialisation baseline: fresh parameters, fine-tuned at test time.
    case random
    /// The oracle: the model also receives the task's parameters; it is not adapted.
    case oracle

    /// Whether training adapts to each task before the loss is taken.
    public var adaptsInTraining: Bool { self == .maml || self == .fomaml || self == .reptile || self == .cavia }

    /// Whether it is adapted at test time (every method but the oracle, which knows the task).
    public var adaptsAtTest: Bool { self != .oracle && self != .rl2 && !classifiesEpisodes }

    /// Whether it classifies by similarity to the support set in a learned embedding (ProtoNets,
    /// matching, relation and Siamese networks).
    public var isMetricBased: Bool { [.protonet, .matching, .relation, .siamese].contains(self) }

    /// Whether its classifier takes a whole episode and adapts inside (metric learners, the
    /// meta-LSTM, MetaNet): no gradient step of the generic inner loop at test time.
    public var classifiesEpisodes: Bool { isMetricBased || self == .metaLSTM || self == .metanet }

    /// Whether the method learns how to adapt (MAML, its variants, CAVIA, RL², episode classifiers):
    /// a comparison pairs each of them with the methods after it.
    public var learnsToAdapt: Bool { adaptsInTraining || self == .rl2 || classifiesEpisodes }

    /// The names of `methods`, for help texts and errors.
    public static func names(_ methods: [Method] = allCases) -> String { methods.map(\.rawValue).joined(separator: ", ") }
}
