/// A fully connected layer y = x·W + b, evaluated at explicit parameters
/// `<name>.weight` ([input, output]) and `<name>.bias` ([output]).
public struct Linear: Sendable, Codable, Equatable {
    public let name: String
    public let inputSize: Int
    public let outputSize: Int

    public init(name: String, inputSize: Int, outputSize: Int) {
        self.name = name
        self.inputSize = inputSize
        self.outputSize = outputSize
    }

    public var weightName: String { "\(name).weight" }
    public var biasName: String { "\(name).bias" }

    /// x: [batch, input] → [batch, output]. Task-batched: x [tasks, batch, input] with weights
    /// [tasks, input, output] and biases [tasks, output], each task through its own parameters.
    public func callAsFunction(_ x: Tensor, _ parameters: Parameters) -> Tensor {
        let weight = parameters[weightName], bias = parameters[biasName]
        if weight.rank == 3 {
            require(x.rank == 3 && x.shape[0] == weight.shape[0] && x.shape[2] == inputSize,
                    "Linear \(name): input of shape \(x.shape), expected [\(weight.shape[0]) tasks, batch, \(inputSize)]")
            return Tensor.affine(x, weight, bias)
        }
        require(x.rank == 2 && x.shape[1] == inputSize,
                     "Linear \(name): input of shape \(x.shape), expected [batch, \(inputSize)]")
        return Tensor.affine(x, weight, bias)
    }

    public func initialParameters<G: RandomNumberGenerator>(_ initializer: Initializer, using rng: inout G) -> Parameters {
        Parameters(names: [weightName, biasName],
                   tensors: [initializer.weight(fanIn: inputSize, fanOut: outputSize, using: &rng), Tensor.zeros([outputSize])])
    }
}
