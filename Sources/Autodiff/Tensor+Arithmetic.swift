/// Element-wise arithmetic with broadcasting. Each backward rule reduces the incoming gradient
/// back to its input's shape with `sum(toShape:)`, the adjoint of broadcasting.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, op: "add", +)
        return record(y, "add", [a, b]) { g, _, needs in
            [needs[0] ? g.sum(toShape: a.shape) : nil, needs[1] ? g.sum(toShape: b.shape) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, op: "sub", -)
        return record(y, "sub", [a, b]) { g, _, needs in
            [needs[0] ? g.sum(toShape: a.shape) : nil, needs[1] ? (-g).sum(toShape: b.shape) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, op: "mul", *)
        return record(y, "mul", [a, b]) { g, _, needs in
            [needs[0] ? (g * b).sum(toShape: a.shape) : nil, needs[1] ? (g * a).sum(toShape: b.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let y = zipBroadcast(a, b, op: "div", /)
        return record(y, "div", [a, b]) { g, _, needs in
            [needs[0] ? (g / b).sum(toShape: a.shape) : nil,
             needs[1] ? (-g * a / (b * b)).sum(toShape: b.shape) : nil]
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        record(x.mapValues { -$0 }, "neg", [x]) { g, _, _ in [-g] }
    }

    // Scalar forms, so `2 * x` and `x - 1` read naturally.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
}

/// Comparisons give constant 0/1 masks: they are piecewise constant, so they carry no gradient.
extension Tensor {
    public func isGreaterThan(_ threshold: Float) -> Tensor {
        mapValues { $0 > threshold ? 1 : 0 }
    }
}
