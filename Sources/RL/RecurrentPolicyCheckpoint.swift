import Experiments
import Config
import Envs
import Foundation

/// An RL² policy on disk: its parameters in safetensors, with metadata naming the env, the GRU
/// policy's shape, the config, the iteration (format `adapt.rl2.v1`). Written atomically; read
/// back only whole and consistent (shapes, env spaces, finite values).
public struct RecurrentPolicyCheckpoint: Sendable {
    public var parameters: Parameters
    public var policy: GaussianGRUPolicy
    public var env: String
    public var config: MetaRLConfig
    public var iteration: Int
    public var metadata: [String: String] = [:]

    public static let format = "adapt.rl2.v1"

    public init(parameters: Parameters, policy: GaussianGRUPolicy, env: String, config: MetaRLConfig, iteration: Int,
                metadata: [String: String] = [:]) {
        self.parameters = parameters
        self.policy = policy
        self.env = env
        self.config = config
        self.iteration = iteration
        self.metadata = metadata
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var meta = metadata
        meta["format"] = Self.format
        meta["algorithm"] = Method.rl2.rawValue
        meta["env"] = env
        meta["iteration"] = String(iteration)
        meta["seed"] = String(config.seed)
        meta["policy"] = String(decoding: try encoder.encode(policy), as: UTF8.self)
        meta["config"] = try config.yaml()
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Safetensors.write(parameters, metadata: meta, to: url)
    }

    public static func read(_ url: URL) throws -> RecurrentPolicyCheckpoint {
        let contents = try Safetensors.read(url)
        let meta = contents.metadata
        func refuse(_ reason: String) -> PolicyCheckpoint.Error { .invalid(path: url.path, reason: reason) }
        guard meta["format"] == format else { throw refuse("not an RL² policy (format \(meta["format"] ?? "missing"))") }
        guard let policyText = meta["policy"], let policy = try? JSONDecoder().decode(GaussianGRUPolicy.self, from: Data(policyText.utf8)),
              (1...1024).contains(policy.hiddenSize), (1...1000).contains(policy.observationSize), (1...1000).contains(policy.actionSize)
        else { throw refuse("metadata 'policy' is missing or malformed") }
        let config: MetaRLConfig
        do { config = try MetaRLConfig.parse(meta["config"] ?? "", file: url.path + " (metadata 'config')") } catch let error as ConfigError {
            throw refuse(error.description)
        }
        guard let env = meta["env"], let probe = try? EnvRegistry.spec(env).make(config: config.envConfig) else { throw refuse("metadata 'env' is unknown") }
        guard probe.observationSpace.count == policy.observationSize, probe.actionSpace.count == policy.actionSize else {
            throw refuse("the policy's sizes do not fit \(env)")
        }
        guard let iteration = meta["iteration"].flatMap(Int.init), iteration >= 0 else { throw refuse("metadata 'iteration' is not a count") }
        var rng = Xoshiro256(seed: 0)
        let expected = policy.initialParameters(using: &rng)
        guard contents.tensors.names.sorted() == expected.names.sorted() else {
            throw refuse("tensors \(contents.tensors.names) do not match the policy's \(expected.names)")
        }
        let parameters = Parameters(names: expected.names, tensors: expected.names.map { contents.tensors[$0] })
        for (name, (tensor, shape)) in zip(expected.names, zip(parameters.tensors, expected.tensors.map(\.shape))) where tensor.shape != shape {
            throw refuse("tensor \(name) has shape \(tensor.shape), the policy needs \(shape)")
        }
        guard parameters.isFinite else { throw refuse("parameters contain NaN or infinity") }
        return RecurrentPolicyCheckpoint(parameters: parameters, policy: policy, env: env, config: config, iteration: iteration, metadata: meta)
    }
}
