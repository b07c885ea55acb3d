import NN

/// The few-shot classifier of Finn et al. 2017 (§5.2, after Vinyals et al. 2016): `blocks` ×
/// [3×3 convolution with `filters` channels and padding 1, batch norm, ReLU, 2×2 max-pool],
/// then a linear layer from the flattened features to the N classes. Functional: evaluated at
/// explicit parameters, NHWC inputs [batch, size, size, channels] → logits [batch, N].
public struct Conv4: Sendable, Codable, Equatable {
    public let imageSize: Int
    public let channels: Int
    public let filters: Int
    public let blocks: Int
    public let ways: Int

    public init(imageSize: Int = 28, channels: Int = 1, filters: Int = 64, blocks: Int = 4, ways: Int = 5) {
        self.imageSize = imageSize
        self.channels = channels
        self.filters = filters
        self.blocks = blocks
        self.ways = ways
        require(featureSide > 0, "Conv4: \(blocks) pooling blocks leave nothing of a \(imageSize)×\(imageSize) image")
    }

    /// Side of the feature map after the blocks (28 → 14 → 7 → 3 → 1).
    public var featureSide: Int { (0..<blocks).reduce(imageSize) { side, _ in side / 2 } }
    public var featureCount: Int { featureSide * featureSide * filters }

    /// Logits [batch, N]: the features through the linear head.
    public func callAsFunction(_ x: Tensor, _ p: Parameters) -> Tensor {
        features(x, p).matmul(p["head.weight"]) + p["head.bias"]
    }

    /// The blocks' output, flattened: [batch, featureCount] (the embedding of prototypical networks).
    public func features(_ x: Tensor, _ p: Parameters) -> Tensor {
        require(x.rank == 4 && x.shape[1] == imageSize && x.shape[2] == imageSize && x.shape[3] == channels,
                "Conv4: input \(x.shape), expected [batch, \(imageSize), \(imageSize), \(channels)]")
        var h = x
        for b in 1...blocks {
            h = Tensor.conv2d(h, p["conv\(b).weight"], padding: 1) + p["conv\(b).bias"]
            h = h.batchNormalized(scale: p["norm\(b).scale"], offset: p["norm\(b).offset"]).relu().maxPool2d(size: 2)
        }
        return h.reshaped([x.shape[0], featureCount])
    }

    /// The names of `initialParameters(head:using:)`, in order.
    public func parameterNames(head: Bool = true) -> [String] {
        (1...blocks).flatMap { b in ["conv\(b).weight", "conv\(b).bias", "norm\(b).scale", "norm\(b).offset"] }
            + (head ? ["head.weight", "head.bias"] : [])
    }

    /// Glorot-uniform convolution and head weights (TensorFlow's xavier initialiser, as cbfinn/maml),
    /// zero biases, batch-norm scale 1 and offset 0; without the head for `features` alone.
    public func initialParameters<G: RandomNumberGenerator>(head: Bool = true, using rng: inout G) -> Parameters {
        var tensors: [Tensor] = []
        var input = channels
        for _ in 1...blocks {
            let fanIn = 9 * input, fanOut = 9 * filters
            let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
            tensors += [Tensor.randomUniform([3, 3, input, filters], in: -limit...limit, using: &rng),
                        Tensor.zeros([filters]), Tensor.ones([filters]), Tensor.zeros([filters])]
            input = filters
        }
        if head {
            tensors += [Initializer.glorotUniform.weight(fanIn: featureCount, fanOut: ways, using: &rng), Tensor.zeros([ways])]
        }
        return Parameters(names: parameterNames(head: head), tensors: tensors)
    }
}
