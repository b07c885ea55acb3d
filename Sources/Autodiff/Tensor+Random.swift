@_exported import SeededRandom

/// Random tensors, drawn from an explicit seeded generator so every run is reproducible.
extension Tensor {
    public static func randomNormal<G: RandomNumberGenerator>(_ shape: [Int], mean: Float = 0, std: Float = 1,
                                                              using rng: inout G) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.elementCount).map { _ in Float(rng.normal(mean: Double(mean), std: Double(std))) })
    }

    public static func randomUniform<G: RandomNumberGenerator>(_ shape: [Int], in range: ClosedRange<Float> = 0...1,
                                                               using rng: inout G) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.elementCount).map { _ in
            Float(rng.uniform(Double(range.lowerBound), Double(range.upperBound)))
        })
    }
}
