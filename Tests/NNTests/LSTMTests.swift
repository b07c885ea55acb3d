import Foundation
import Testing
import NN
import TestSupport

/// The LSTM cell against its equations computed by hand in double precision, and its derivatives
/// through a few steps of time against finite differences to second order.
@Suite struct LSTMTests {
    static let lstm = LSTM(inputSize: 2, hiddenSize: 3)

    static func parameters(seed: UInt64 = 5) -> Parameters {
        var rng = Xoshiro256(seed: seed)
        return lstm.initialParameters(forgetBias: 1, using: &rng)
    }

    /// One step in Double from the formulas (gate order i, f, g, o), independent of the cell's code.
    static func reference(x: [Double], h: [Double], c: [Double], _ p: Parameters) -> (h: [Double], c: [Double]) {
        let H = lstm.hiddenSize
        let (wi, wh) = (p[lstm.inputWeightName].scalars.map(Double.init), p[lstm.hiddenWeightName].scalars.map(Double.init))
        let b = p[lstm.biasName].scalars.map(Double.init)
        func pre(_ j: Int) -> Double {
            b[j] + x.indices.reduce(0) { $0 + x[$1] * wi[$1 * 4 * H + j] } + h.indices.reduce(0) { $0 + h[$1] * wh[$1 * 4 * H + j] }
        }
        func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        let cell = (0..<H).map { k in sigmoid(pre(H + k)) * c[k] + sigmoid(pre(k)) * Foundation.tanh(pre(2 * H + k)) }
        return ((0..<H).map { k in sigmoid(pre(3 * H + k)) * Foundation.tanh(cell[k]) }, cell)
    }

    @Test func stepsFollowTheEquations() {
        let p = Self.parameters()
        #expect(p[Self.lstm.biasName].scalars[3..<6].allSatisfy { $0 > 0.4 }, "forget bias added")
        let xs = [[0.5, -1.2], [0.3, 0.8], [-0.7, 0.1]]
        let states = Self.lstm(xs.map { Tensor(shape: [1, 2], scalars: $0.map(Float.init)) }, p)
        var (h, c) = ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0])
        for (x, state) in zip(xs, states) {
            (h, c) = Self.reference(x: x, h: h, c: c, p)
            for (a, b) in zip(state.hidden.scalars, h) { #expect(abs(Double(a) - b) < 1e-6, "h \(state.hidden.scalars) vs \(h)") }
            for (a, b) in zip(state.cell.scalars, c) { #expect(abs(Double(a) - b) < 1e-6, "c \(state.cell.scalars) vs \(c)") }
        }
    }

    /// Through three steps of time: gradients and Hessian-vector products with respect to the
    /// inputs, the initial output and cell state, and all three weight tensors.
    @Test func derivativesThroughTimeMatchFiniteDifferences() {
        let p = Self.parameters()
        let lstm = Self.lstm
        let inputs = [Tensor(shape: [2, 2], scalars: [0.5, -1.2, 0.3, 0.8]), Tensor(shape: [2, 2], scalars: [-0.7, 0.1, 0.9, -0.4]),
                      Tensor(shape: [2, 2], scalars: [0.2, 0.6, -0.5, 1.1]),
                      Tensor(shape: [2, 3], scalars: [0.1, -0.3, 0.2, 0.4, 0.0, -0.2]), Tensor(shape: [2, 3], scalars: [0.5, -0.1, 0.3, -0.6, 0.2, 0.1])]
        let f = { (t: [Tensor]) -> Tensor in
            let weights = Parameters(names: p.names, tensors: Array(t[5...]))
            let states = lstm(Array(t[0..<3]), initial: LSTM.State(hidden: t[3], cell: t[4]), weights)
            return (states[2].hidden * states[1].hidden).sum() + states[2].cell.square().sum()
        }
        for order in 1...2 {
            let error = GradientCheck.maxError(order: order, f, at: inputs + p.tensors)
            #expect(error < 3e-3, "LSTM, order \(order): relative error \(error)")
        }
    }
}
