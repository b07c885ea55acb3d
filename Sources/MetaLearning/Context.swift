import Experiments
import NN

extension Context {
    /// What a trained model runs on at test time: θ, and for CAVIA a zero context of `size`.
    public static func testParameters(_ theta: Parameters, algorithm: Method, size: Int) -> Parameters {
        algorithm == .cavia ? theta.appending(zeros(size: size)) : theta
    }

    /// The parameters test-time steps change: CAVIA its context only, the others all (nil).
    public static func adapted(by algorithm: Method) -> Set<String>? { algorithm == .cavia ? [name] : nil }
}
