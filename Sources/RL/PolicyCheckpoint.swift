import Experiments
import Foundation
import Config
import Envs

/// A trained policy on disk: its parameters in safetensors, with metadata naming the env, the
/// algorithm, the policy's shape, the iteration, the seed, the commit and the full config, so a
/// checkpoint alone is enough to evaluate, render or resume.
public struct PolicyCheckpoint: Sendable {
    public var parameters: Parameters
    public var policy: GaussianMLPPolicy
    /// The env the policy acts in (`…-oracle` for the oracle).
    public var env: String
    public var algorithm: String
    public var config: MetaRLConfig
    /// Meta-iterations completed.
    public var iteration: Int
    public var metadata: [String: String]

    /// The step sizes (α₁, α₂; the last is reused) this policy adapts best with at test time, if
    /// an evaluation recorded them (`adapt eval --experiment … --record-step-sizes`); otherwise
    /// the training α, halved after the first step.
    public var testStepSizes: [Float] {
        get { recordedTestStepSizes ?? PolicyGradientAdaptation.halvingSchedule(config.innerStepSize(of: policy)) }
        set { recordedTestStepSizes = newValue }
    }

    /// The recorded test schedule itself, nil where none was recorded.
    var recordedTestStepSizes: [Float]? {
        get { metadata["test_step_sizes"].flatMap(Self.validSchedule) }
        set { metadata["test_step_sizes"] = newValue.map(Self.text) }
    }

    /// The step sizes of the random-initialisation baseline derived from this (MAML) checkpoint,
    /// if an evaluation recorded its sweep; `randomlyInitialised` hands them on as `testStepSizes`.
    public var randomBaselineStepSizes: [Float]? {
        get { metadata["random_test_step_sizes"].flatMap(Self.validSchedule) }
        set { metadata["random_test_step_sizes"] = newValue.map(Self.text) }
    }

    /// Metadata keys are snake_case, as in the supervised checkpoints and progress.csv. Files
    /// written before keep reading: their camelCase keys are renamed here, and a lone first step
    /// (`testStepSize`, before schedules were recorded) becomes that α halved after.
    static func migrated(_ metadata: [String: String]) -> [String: String] {
        var meta = metadata
        for (old, new) in [("testStepSizes", "test_step_sizes"), ("randomTestStepSizes", "random_test_step_sizes"), ("blasKernel", "blas_kernel")] {
            if let value = meta.removeValue(forKey: old), meta[new] == nil { meta[new] = value }
        }
        for (old, new) in [("testStepSize", "test_step_sizes"), ("randomTestStepSize", "random_test_step_sizes")] {
            guard let value = meta.removeValue(forKey: old), meta[new] == nil else { continue }
            meta[new] = Float(value).map { text(PolicyGradientAdaptation.halvingSchedule($0)) } ?? value
        }
        return meta
    }

    static func text(_ schedule: [Float]) -> String { schedule.map { String($0) }.joined(separator: ",") }

    /// "0.1,0.025" as step sizes if every one is a number in (0, 100] and there are 1 to 8.
    static func validSchedule(_ text: String) -> [Float]? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Float(String($0).trimmingCharacters(in: .whitespaces)) }
        guard (1...8).contains(values.count), values.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 100 }) else { return nil }
        return values.map { $0! }
    }

    public init(parameters: Parameters, policy: GaussianMLPPolicy, env: String, algorithm: String,
                config: MetaRLConfig, iteration: Int, extra: [String: String] = [:]) {
        self.parameters = parameters
        self.policy = policy
        self.env = env
        self.algorithm = algorithm
        self.config = config
        self.iteration = iteration
        self.metadata = extra
    }

    public enum Error: Swift.Error, CustomStringConvertible {
        case invalid(path: String, reason: String)
        public var description: String {
            switch self { case let .invalid(path, reason): "\(path) is not a usable policy checkpoint: \(reason)" }
        }
    }

    /// Writes atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same policy always writes the same bytes
        let policyJSON = String(decoding: try encoder.encode(policy), as: UTF8.self)
        var meta = metadata
        meta["format"] = "adapt.policy.v1"
        meta["env"] = env
        meta["algorithm"] = algorithm
        meta["iteration"] = String(iteration)
        meta["seed"] = String(config.seed)
        meta["policy"] = policyJSON
        // Read and written back (recording step sizes), a checkpoint keeps the config text it was
        // trained with: re-encoding would add every key introduced since, at today's defaults.
        if let text = metadata["config"], (try? MetaRLConfig.parse(text, file: "")) == config {
            meta["config"] = text
        } else {
            meta["config"] = try config.yaml()
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Safetensors.write(parameters, metadata: meta, to: url)
    }

    /// Reads and checks a checkpoint: the tensors must match the policy the metadata describes.
    public static func read(_ url: URL) throws -> PolicyCheckpoint {
        try decode(Safetensors.read(url), path: url.path)
    }

    /// The checkpoint in a file's bytes (`path` names it in errors).
    public static func decode(_ data: Data, path: String) throws -> PolicyCheckpoint {
        try decode(Safetensors.decode(data, path: path), path: path)
    }

    private static func decode(_ contents: Safetensors.Contents, path: String) throws -> PolicyCheckpoint {
        let url = URL(fileURLWithPath: path)
        let meta = migrated(contents.metadata)
        func field(_ key: String) throws -> String {
            guard let value = meta[key] else { throw Error.invalid(path: url.path, reason: "metadata lacks '\(key)'") }
            return value
        }
        guard meta["format"] == "adapt.policy.v1" else { throw Error.invalid(path: url.path, reason: "not an Adapt policy (format \(meta["format"] ?? "missing"))") }
        let policy: GaussianMLPPolicy
        do { policy = try JSONDecoder().decode(GaussianMLPPolicy.self, from: Data(try field("policy").utf8)) } catch let error as Error {
            throw error
        } catch { throw Error.invalid(path: url.path, reason: "metadata 'policy' is malformed (\(error))") }
        if let problem = policy.inconsistency { throw Error.invalid(path: url.path, reason: "metadata 'policy': \(problem)") }
        let config: MetaRLConfig
        do { config = try MetaRLConfig.parse(try field("config"), file: url.path + " (metadata 'config')") } catch let error as ConfigError {
            throw Error.invalid(path: url.path, reason: error.description)
        }
        let env = try field("env")
        let probe: any Env
        do { probe = try EnvRegistry.spec(env).make(config: config.envConfig) } catch {
            throw Error.invalid(path: url.path, reason: "metadata 'env': \(error)")
        }
        guard probe.observationSpace.count == policy.observationSize, probe.actionSpace.count == policy.actionSize else {
            throw Error.invalid(path: url.path, reason: "the policy takes \(policy.observationSize) observations and gives \(policy.actionSize) "
                + "actions; \(env) has \(probe.observationSpace.count) and \(probe.actionSpace.count)")
        }
        let algorithm = try field("algorithm")
        guard Method(rawValue: algorithm) != nil else { throw Error.invalid(path: url.path, reason: "metadata 'algorithm' '\(algorithm)' is unknown") }
        for key in ["test_step_sizes", "random_test_step_sizes"] {
            if let text = meta[key], Self.validSchedule(text) == nil {
                throw Error.invalid(path: url.path, reason: "metadata '\(key)' is '\(text)': expected 1 to 8 comma-separated step sizes in (0, 100]")
            }
        }
        guard let iteration = Int(try field("iteration")) else { throw Error.invalid(path: url.path, reason: "metadata 'iteration' is not a number") }
        // Same names in the same order, same shapes, finite values.
        // The shapes the policy needs, without allocating its parameters (a damaged size could ask
        // for gigabytes).
        let expected = policy.mean.layers.flatMap { [($0.weightName, [$0.inputSize, $0.outputSize]), ($0.biasName, [$0.outputSize])] }
            + [(GaussianMLPPolicy.logStdName, [policy.actionSize])]
        guard contents.tensors.names.sorted() == expected.map(\.0).sorted() else {
            throw Error.invalid(path: url.path, reason: "tensors \(contents.tensors.names) do not match the policy's \(expected.map(\.0))")
        }
        let ordered = Parameters(names: expected.map(\.0), tensors: expected.map { contents.tensors[$0.0] })
        for ((name, shape), tensor) in zip(expected, ordered.tensors) where tensor.shape != shape {
            throw Error.invalid(path: url.path, reason: "tensor \(name) has shape \(tensor.shape), the policy needs \(shape)")
        }
        guard ordered.isFinite else { throw Error.invalid(path: url.path, reason: "parameters contain NaN or infinity") }
        guard iteration >= 0 else { throw Error.invalid(path: url.path, reason: "metadata 'iteration' is negative") }
        var checkpoint = PolicyCheckpoint(parameters: ordered, policy: policy, env: env, algorithm: algorithm,
                                          config: config, iteration: iteration)
        checkpoint.metadata = meta
        return checkpoint
    }
}
