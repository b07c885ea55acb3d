import Foundation
import NN

/// A meta-training run as one safetensors file: φ under its own names, Adam's moments under
/// `optimizer.m.<name>` / `optimizer.v.<name>`, and in the metadata the iteration, Adam's step,
/// the generator's state and the wall time, so `--resume` continues with the very numbers an
/// uninterrupted run would draw. A shipped optimizer is the same file without the moments.
public struct TrainingState: Sendable {
    public var phi: Parameters
    public var adam: Adam
    public var iteration: Int
    public var rng: Xoshiro256
    public var elapsed: Double

    static let firstMomentPrefix = "optimizer.m."
    static let secondMomentPrefix = "optimizer.v."

    /// Writes the state atomically, with `metadata` (config, commit) added.
    public func save(to url: URL, metadata: [String: String]) throws {
        var names = phi.names, tensors = phi.tensors
        if let m = adam.firstMoment, let v = adam.secondMoment {
            names += m.names.map { Self.firstMomentPrefix + $0 } + v.names.map { Self.secondMomentPrefix + $0 }
            tensors += m.tensors + v.tensors
        }
        var meta = metadata
        meta["iteration"] = String(iteration)
        meta["adam_step"] = String(adam.step)
        meta["rng_state"] = [rng.state.0, rng.state.1, rng.state.2, rng.state.3].map { String($0, radix: 16) }.joined(separator: ",")
        meta["elapsed_seconds"] = String(format: "%.3f", elapsed)
        meta["blas_kernel"] = BLAS.kernelDescription
        try Safetensors.write(Parameters(names: names, tensors: tensors), metadata: meta, to: url)
    }

    /// Reads a state written by `save` for an optimizer shaped like `optimizer`.
    public static func load(_ url: URL, optimizer: LSTMOptimizer, learningRate: Float) throws -> TrainingState {
        let contents = try Safetensors.read(url)
        let meta = contents.metadata
        let words = (meta["rng_state"] ?? "").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let iteration = meta["iteration"].flatMap(Int.init), let step = meta["adam_step"].flatMap(Int.init), words.count == 4 else {
            throw Safetensors.Error.corrupt(path: url.path, reason: "metadata lacks iteration, adam_step or rng_state: not a training checkpoint")
        }
        let phi = try OptimizerFile.parameters(contents.tensors, prefix: "", like: optimizer, path: url.path)
        var adam = Adam(learningRate: learningRate)
        if step > 0 {
            adam.restore(step: step, firstMoment: try OptimizerFile.parameters(contents.tensors, prefix: firstMomentPrefix, like: optimizer, path: url.path),
                         secondMoment: try OptimizerFile.parameters(contents.tensors, prefix: secondMomentPrefix, like: optimizer, path: url.path))
        }
        return TrainingState(phi: phi, adam: adam, iteration: iteration, rng: Xoshiro256(state: (words[0], words[1], words[2], words[3])),
                             elapsed: meta["elapsed_seconds"].flatMap(Double.init) ?? 0)
    }
}

/// A trained optimizer to ship: φ and metadata (problem, hyperparameters, iteration).
public enum OptimizerFile {
    public static func save(_ phi: Parameters, metadata: [String: String], to url: URL) throws {
        var meta = metadata
        meta["blas_kernel"] = BLAS.kernelDescription
        try Safetensors.write(phi, metadata: meta, to: url)
    }

    /// φ from `url`, checked against the shapes `optimizer` expects; with its metadata.
    public static func load(_ url: URL, like optimizer: LSTMOptimizer) throws -> (phi: Parameters, metadata: [String: String]) {
        let contents = try Safetensors.read(url)
        return (try parameters(contents.tensors, prefix: "", like: optimizer, path: url.path), contents.metadata)
    }

    /// The tensors `prefix + name` for every name of the optimizer, each of the expected shape and
    /// finite, in the optimizer's order.
    static func parameters(_ all: Parameters, prefix: String, like optimizer: LSTMOptimizer, path: String) throws -> Parameters {
        var rng = Xoshiro256(seed: 0)
        let expected = optimizer.initialParameters(using: &rng)
        let tensors = try zip(expected.names, expected.tensors).map { name, template in
            guard all.names.contains(prefix + name) else {
                throw Safetensors.Error.corrupt(path: path, reason: "no tensor \(prefix + name): not an optimizer of this config's shape (hiddenSize, layers)")
            }
            let tensor = all[prefix + name]
            guard tensor.shape == template.shape else {
                throw Safetensors.Error.corrupt(path: path, reason: "\(prefix + name) has shape \(tensor.shape), this config's optimizer needs \(template.shape)")
            }
            guard tensor.scalars.allSatisfy(\.isFinite) else { throw Safetensors.Error.corrupt(path: path, reason: "\(prefix + name) holds a non-finite value") }
            return tensor
        }
        return Parameters(names: expected.names, tensors: tensors)
    }
}
