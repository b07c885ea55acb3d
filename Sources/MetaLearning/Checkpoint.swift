import Foundation
import NN

/// Saving and restoring a meta-training run as one safetensors file: the trainable tensors under
/// their own names, Adam's moments under `optimizer.m.<name>` / `optimizer.v.<name>`, and in the
/// metadata the iteration, Adam's step count, the generator's state, the elapsed wall time and
/// whatever the caller adds (algorithm, experiment, hyperparameters). A shipped policy is the same
/// file without the optimiser tensors.
public enum Checkpoint {
    public struct State: Sendable {
        public var trainable: Parameters
        public var adam: Adam
        public var iteration: Int
        public var rng: Xoshiro256
        /// Seconds of training so far (across resumes).
        public var elapsed: Double
        public var metadata: [String: String]
    }

    static let firstMomentPrefix = "optimizer.m."
    static let secondMomentPrefix = "optimizer.v."

    /// Writes the full training state (atomically).
    public static func save(_ state: State, to url: URL) throws {
        var names = state.trainable.names
        var tensors = state.trainable.tensors
        if let m = state.adam.firstMoment, let v = state.adam.secondMoment {
            names += m.names.map { firstMomentPrefix + $0 } + v.names.map { secondMomentPrefix + $0 }
            tensors += m.tensors + v.tensors
        }
        var metadata = state.metadata
        metadata["iteration"] = String(state.iteration)
        metadata["adam_step"] = String(state.adam.step)
        metadata["adam_learning_rate"] = String(state.adam.learningRate)
        metadata["rng_state"] = encode(state.rng)
        metadata["elapsed_seconds"] = String(format: "%.3f", state.elapsed)
        metadata["blas_kernel"] = BLAS.kernelDescription  // results reproduce per kernel
        try Safetensors.write(Parameters(names: names, tensors: tensors), metadata: metadata, to: url)
    }

    /// Writes only the learned parameters (θ, and α with Meta-SGD) and metadata: a policy to ship.
    public static func savePolicy(_ trainable: Parameters, metadata: [String: String], to url: URL) throws {
        var metadata = metadata
        metadata["blas_kernel"] = BLAS.kernelDescription
        try Safetensors.write(trainable, metadata: metadata, to: url)
    }

    /// Reads a state written by `save`, with the trainable tensors in `names` order.
    public static func load(_ url: URL, names: [String]) throws -> State {
        let contents = try Safetensors.read(url)
        let all = contents.tensors
        func tensors(_ prefix: String) throws -> Parameters {
            let missing = names.filter { !all.names.contains(prefix + $0) }
            if !missing.isEmpty {
                throw Safetensors.Error.corrupt(path: url.path, reason: "no tensor \(prefix + missing[0]) (the checkpoint holds \(all.names.joined(separator: ", ")))")
            }
            return Parameters(names: names, tensors: names.map { all[prefix + $0] })
        }
        let meta = contents.metadata
        guard let iteration = meta["iteration"].flatMap(Int.init), let step = meta["adam_step"].flatMap(Int.init),
              let rngText = meta["rng_state"], let rng = decode(rngText) else {
            throw Safetensors.Error.corrupt(path: url.path, reason: "metadata lacks iteration, adam_step or rng_state: not a training checkpoint")
        }
        var adam = Adam(learningRate: meta["adam_learning_rate"].flatMap(Float.init) ?? 1e-3)
        if step > 0 { adam.restore(step: step, firstMoment: try tensors(firstMomentPrefix), secondMoment: try tensors(secondMomentPrefix)) }
        return State(trainable: try tensors(""), adam: adam, iteration: iteration, rng: rng,
                     elapsed: meta["elapsed_seconds"].flatMap(Double.init) ?? 0, metadata: meta)
    }

    /// The generator's 256-bit state as four hex words (exact, unlike JSON numbers).
    static func encode(_ rng: Xoshiro256) -> String {
        [rng.state.0, rng.state.1, rng.state.2, rng.state.3].map { String($0, radix: 16) }.joined(separator: ",")
    }

    static func decode(_ text: String) -> Xoshiro256? {
        let words = text.split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { return nil }
        return Xoshiro256(state: (words[0], words[1], words[2], words[3]))
    }
}
