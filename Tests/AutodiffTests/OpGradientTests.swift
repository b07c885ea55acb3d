import Testing
import Autodiff
import TestSupport

/// Every differentiable op against five-point finite differences, to first, second and third
/// order. One line per op: the function, its inputs, and the orders checked.
@Suite struct OpGradientTests {
    /// Away from 0 (ReLU's kink) and positive where log, sqrt and pow need it.
    static let positive = Tensor(shape: [2, 3], scalars: [0.5, 1.2, 0.8, 1.7, 0.3, 2.1])
    static let mixed = Tensor(shape: [2, 3], scalars: [-1.3, 0.4, 0.9, -0.6, 1.5, -0.2])
    static let other = Tensor(shape: [2, 3], scalars: [0.7, -0.9, 1.1, 0.35, -1.4, 0.6])
    static let row = Tensor(shape: [3], scalars: [0.6, -0.8, 1.3])

    func check(_ name: String, orders: ClosedRange<Int> = 1...3, tolerance: Double = 2e-3,
               _ inputs: [Tensor], _ f: @escaping ([Tensor]) -> Tensor) {
        for order in orders {
            let error = GradientCheck.maxError(order: order, f, at: inputs)
            #expect(error < tolerance, "\(name), order \(order): relative error \(error)")
        }
    }

    @Test func add() { check("add", [Self.mixed, Self.other]) { $0[0] + $0[1] } }
    @Test func sub() { check("sub", [Self.mixed, Self.other]) { $0[0] - $0[1] } }
    @Test func mul() { check("mul", [Self.mixed, Self.other]) { $0[0] * $0[1] * $0[0] } }
    @Test func div() { check("div", [Self.mixed, Self.positive]) { $0[0] / $0[1] } }
    @Test func neg() { check("neg", [Self.mixed]) { -$0[0] * $0[0] } }
    @Test func exp() { check("exp", [Self.mixed]) { $0[0].exp() } }
    @Test func log() { check("log", [Self.positive]) { $0[0].log() } }
    @Test func tanh() { check("tanh", [Self.mixed]) { $0[0].tanh() } }
    @Test func relu() { check("relu", [Self.mixed]) { $0[0].relu() * $0[0] } }
    @Test func sigmoid() { check("sigmoid", [Self.mixed]) { $0[0].sigmoid() } }
    @Test func softplus() { check("softplus", [Self.mixed]) { $0[0].softplus() } }
    @Test func silu() { check("silu", [Self.mixed]) { $0[0].silu() } }
    @Test func square() { check("square", [Self.mixed]) { $0[0].square() * $0[0] } }
    @Test func sqrt() { check("sqrt", [Self.positive]) { $0[0].sqrt() } }
    @Test func pow() { check("pow", [Self.positive]) { $0[0].pow(2.5) } }
    @Test func abs() { check("abs", [Self.mixed]) { $0[0].abs() * $0[0] } }

    @Test func sumOverAxes() {
        check("sum(axes: [0])", [Self.mixed]) { $0[0].sum(axis: 0).square() }
        check("sum(axes: [1], keepDims)", [Self.mixed]) { ($0[0].sum(axis: 1, keepDims: true) * $0[0]) }
        check("sum()", [Self.mixed]) { $0[0].sum().square() }
    }
    @Test func mean() { check("mean", [Self.mixed]) { $0[0].mean(axis: -1).exp() + $0[0].mean().square() } }
    @Test func max() { check("max", [Self.mixed]) { $0[0].max(axis: 1, keepDims: true).square() + $0[0].max(axis: 0, keepDims: true) * $0[0] } }
    @Test func logSumExp() { check("logSumExp", [Self.mixed]) { $0[0].logSumExp(axis: 1).sum() + $0[0].logSumExp(axis: 0).square().sum() } }
    @Test func logSoftmax() { check("logSoftmax", [Self.mixed]) { $0[0].logSoftmax(axis: 1) * $0[0] } }

    @Test func matmul() {
        let a = Tensor(shape: [2, 3], scalars: [0.3, -0.5, 0.8, 1.1, 0.2, -0.7])
        let b = Tensor(shape: [3, 2], scalars: [0.9, -0.4, 0.25, 0.6, -1.2, 0.5])
        check("matmul", [a, b]) { Tensor.matmul($0[0], $0[1]).square() }
        check("matmul Aᵀ", [a, a]) { Tensor.matmul($0[0], $0[1], transposeA: true).square() }
        check("matmul Bᵀ", [a, a]) { Tensor.matmul($0[0], $0[1], transposeB: true).tanh() }
        check("matmul AᵀBᵀ", [a, b]) { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true).square() }
    }

    @Test func batchedMatmul() {
        // [2 tasks, 2, 3] · [2 tasks, 3, 2]: each task's product through its own matrices.
        let a = Tensor(shape: [2, 2, 3], scalars: [0.3, -0.5, 0.8, 1.1, 0.2, -0.7, -0.6, 0.9, 0.4, 0.15, -1.0, 0.5])
        let b = Tensor(shape: [2, 3, 2], scalars: [0.9, -0.4, 0.25, 0.6, -1.2, 0.5, 0.35, 0.8, -0.3, 1.05, 0.7, -0.45])
        check("batched matmul", [a, b]) { Tensor.matmul($0[0], $0[1]).square() }
        check("batched matmul Aᵀ", [a, a]) { Tensor.matmul($0[0], $0[1], transposeA: true).square() }
        check("batched matmul Bᵀ", [a, a]) { Tensor.matmul($0[0], $0[1], transposeB: true).tanh() }
        check("batched matmul AᵀBᵀ", [a, b]) { Tensor.matmul($0[0], $0[1], transposeA: true, transposeB: true).square() }
    }

    @Test func affine() {
        let x = Tensor(shape: [2, 3], scalars: [0.3, -0.5, 0.8, 1.1, 0.2, -0.7])
        let w = Tensor(shape: [3, 2], scalars: [0.9, -0.4, 0.25, 0.6, -1.2, 0.5])
        let b = Tensor(shape: [2], scalars: [0.15, -0.35])
        check("affine", [x, w, b]) { Tensor.affine($0[0], $0[1], $0[2]).square() }
        // Task-batched: [2 tasks, 2, 3] · [2 tasks, 3, 2] + [2 tasks, 2].
        let xs = Tensor(shape: [2, 2, 3], scalars: [0.3, -0.5, 0.8, 1.1, 0.2, -0.7, -0.6, 0.9, 0.4, 0.15, -1.0, 0.5])
        let ws = Tensor(shape: [2, 3, 2], scalars: [0.9, -0.4, 0.25, 0.6, -1.2, 0.5, 0.35, 0.8, -0.3, 1.05, 0.7, -0.45])
        let bs = Tensor(shape: [2, 2], scalars: [0.15, -0.35, 0.6, 0.05])
        check("batched affine", [xs, ws, bs]) { Tensor.affine($0[0], $0[1], $0[2]).tanh() }
    }

    @Test func reshapeAndTranspose() {
        check("reshape", [Self.mixed]) { $0[0].reshaped([3, 2]) * Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]) * $0[0].reshaped([3, -1]) }
        check("transpose", [Self.mixed]) { $0[0].transposed().matmul($0[0]).square() }
        check("permute", [Self.mixed.reshaped([1, 2, 3])]) { $0[0].permuted([2, 0, 1]).square() * Tensor(shape: [3, 1, 2], scalars: [1, 2, 3, 4, 5, 6]) }
    }

    @Test func concatSliceGather() {
        check("concatenate", [Self.mixed, Self.other]) { Tensor.concatenate([$0[0], $0[1].square()], axis: 1).square() }
        check("slice", [Self.mixed]) { $0[0].sliced(axis: 1, 1..<3).square() }
        check("pad", [Self.mixed]) { $0[0].padded(axis: 0, before: 1, after: 2).exp() }
        check("gather", [Self.mixed]) { $0[0].gathered([2, 0, 2], axis: 1).square() }
    }

    @Test func broadcasting() {
        check("row broadcast", [Self.mixed, Self.row]) { ($0[0] + $0[1]) * $0[1] }
        check("column broadcast", [Self.mixed, Tensor(shape: [2, 1], scalars: [0.4, -1.1])]) { $0[0] * $0[1] / ($0[1].square() + 1) }
        check("scalar broadcast", [Self.mixed, Tensor(0.7)]) { ($0[0] - $0[1]).square() * $0[1] }
        check("broadcast(to:)", [Self.row]) { $0[0].broadcast(to: [4, 3]).square() }
    }
}
