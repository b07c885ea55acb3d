import Foundation
import Testing
import NN
import TestSupport

/// The GRU against its equations computed by hand in double precision, and its derivatives (through
/// a few steps of time, to the input, the state and every weight) against finite differences to
/// second order, like every op of the autodiff.
@Suite struct GRUTests {
    static let gru = GRU(inputSize: 2, hiddenSize: 3)

    static func parameters(seed: UInt64 = 4) -> Parameters {
        var rng = Xoshiro256(seed: seed)
        return gru.initialParameters(using: &rng)
    }

    /// One step in Double from the formulas (gate order r, z, n), independent of the layer's code.
    static func reference(x: [Double], h: [Double], _ p: Parameters) -> [Double] {
        let H = gru.hiddenSize
        let (wi, wh) = (p[gru.inputWeightName].scalars.map(Double.init), p[gru.hiddenWeightName].scalars.map(Double.init))
        let (bi, bh) = (p[gru.inputBiasName].scalars.map(Double.init), p[gru.hiddenBiasName].scalars.map(Double.init))
        func gx(_ j: Int) -> Double { bi[j] + x.indices.reduce(0) { $0 + x[$1] * wi[$1 * 3 * H + j] } }
        func gh(_ j: Int) -> Double { bh[j] + h.indices.reduce(0) { $0 + h[$1] * wh[$1 * 3 * H + j] } }
        func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }
        return (0..<H).map { k in
            let r = sigmoid(gx(k) + gh(k)), z = sigmoid(gx(H + k) + gh(H + k))
            let n = Foundation.tanh(gx(2 * H + k) + r * gh(2 * H + k))
            return (1 - z) * n + z * h[k]
        }
    }

    @Test func stepsFollowTheEquations() {
        let p = Self.parameters()
        let xs = [[0.5, -1.2], [0.3, 0.8], [-0.7, 0.1]]
        let states = Self.gru(xs.map { Tensor(shape: [1, 2], scalars: $0.map(Float.init)) }, p)
        var h = [0.0, 0.0, 0.0]
        for (x, state) in zip(xs, states) {
            h = Self.reference(x: x, h: h, p)
            for (a, b) in zip(state.scalars, h) { #expect(abs(Double(a) - b) < 1e-6, "\(state.scalars) vs \(h)") }
        }
        // A batch of two sequences is two independent sequences.
        let batch = Self.gru([Tensor(shape: [2, 2], scalars: [0.5, -1.2, 0.3, 0.8])], p)[0]
        let single = Self.gru([Tensor(shape: [1, 2], scalars: [0.3, 0.8])], p)[0]
        for (a, b) in zip(batch.scalars[3...], single.scalars) { #expect(abs(a - b) < 1e-6) }
    }

    /// Through three steps of time: gradients and second derivatives (Hessian-vector products) with
    /// respect to the inputs, the initial state and all four weight tensors.
    @Test func derivativesThroughTimeMatchFiniteDifferences() {
        let p = Self.parameters()
        let gru = Self.gru
        let inputs = [Tensor(shape: [2, 2], scalars: [0.5, -1.2, 0.3, 0.8]), Tensor(shape: [2, 2], scalars: [-0.7, 0.1, 0.9, -0.4]),
                      Tensor(shape: [2, 2], scalars: [0.2, 0.6, -0.5, 1.1]), Tensor(shape: [2, 3], scalars: [0.1, -0.3, 0.2, 0.4, 0.0, -0.2])]
        let f = { (t: [Tensor]) -> Tensor in
            let weights = Parameters(names: p.names, tensors: Array(t[4...]))
            let states = gru(Array(t[0..<3]), initial: t[3], weights)
            return (states[2] * states[1]).sum() + states[2].square().sum()
        }
        for order in 1...2 {
            let error = GradientCheck.maxError(order: order, f, at: inputs + p.tensors)
            #expect(error < 3e-3, "GRU, order \(order): relative error \(error)")
        }
    }
}
