import Foundation
import Testing
import NN

/// Andrychowicz et al.'s preprocessing, value by value, on both sides of the threshold.
@Suite struct GradientPreprocessingTests {
    @Test func splitsMagnitudeAndSign() {
        let x: [Float] = [2, -0.5, 1e-6, -3e-5, 0]
        let y = GradientPreprocessing.apply(Tensor(x)).scalars
        let e10 = Foundation.exp(10.0)
        let expected: [[Double]] = [[Foundation.log(2) / 10, 1], [Foundation.log(0.5) / 10, -1], [-1, e10 * 1e-6], [-1, -e10 * 3e-5], [-1, 0]]
        for (i, row) in expected.enumerated() {
            #expect(abs(Double(y[2 * i]) - row[0]) < 1e-5 && abs(Double(y[2 * i + 1]) - row[1]) < 1e-3, "x = \(x[i]): \(y[2 * i]), \(y[2 * i + 1]) vs \(row)")
        }
    }
}
