import Foundation

/// Element-wise functions. Rules that need the op's output (exp, tanh, sigmoid, sqrt) read it
/// from `y`, which is tracked, so second derivatives flow through it too.
extension Tensor {
    public func exp() -> Tensor {
        record(mapValues { Foundation.exp($0) }, "exp", [self], savesOutput: true) { g, y, _ in [g * y] }
    }

    public func log() -> Tensor {
        record(mapValues { Foundation.log($0) }, "log", [self]) { g, _, _ in [g / self] }
    }

    public func tanh() -> Tensor {
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            scalars.withUnsafeBufferPointer { VectorMath.tanh($0, into: buffer) }
            initialized = count
        }
        return record(Tensor(shape: shape, scalars: values, node: nil), "tanh", [self], savesOutput: true) { g, y, _ in
            [g * (1 - y * y)]
        }
    }

    public func sigmoid() -> Tensor {
        record(mapValues(VectorMath.sigmoid), "sigmoid", [self], savesOutput: true) { g, y, _ in
            [g * y * (1 - y)]
        }
    }

    /// log(1 + eˣ), computed without overflow.
    public func softplus() -> Tensor {
        let y = mapValues { x in Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        return record(y, "softplus", [self]) { g, _, _ in [g * self.sigmoid()] }
    }

    /// max(x, 0). Its derivative is a constant mask, so its second derivative is zero.
    public func relu() -> Tensor {
        record(mapValues { Swift.max($0, 0) }, "relu", [self]) { g, _, _ in [g * self.isGreaterThan(Float(0))] }
    }

    /// x·σ(x) (Swish). Unlike ReLU, its second derivative is non-zero.
    public func silu() -> Tensor {
        let y = mapValues { $0 * VectorMath.sigmoid($0) }
        return record(y, "silu", [self]) { g, _, _ in
            let s = self.sigmoid()
            return [g * s * (1 + self * (1 - s))]
        }
    }

    public func square() -> Tensor {
        record(mapValues { $0 * $0 }, "square", [self]) { g, _, _ in [g * self * 2] }
    }

    public func sqrt() -> Tensor {
        record(mapValues { $0.squareRoot() }, "sqrt", [self], savesOutput: true) { g, y, _ in [g * 0.5 / y] }
    }

    /// xᵖ for a constant exponent p.
    public func pow(_ p: Float) -> Tensor {
        record(mapValues { Foundation.pow($0, p) }, "pow", [self]) { g, _, _ in
            [g * p * self.pow(p - 1)]
        }
    }

    public func abs() -> Tensor {
        record(mapValues { Swift.abs($0) }, "abs", [self]) { g, _, _ in
            [g * self.mapValues { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }]
        }
    }
}
