import Foundation

/// What an experiment config describes, from its `kind` key: the CLI reads it once, before the
/// whole file, and hands the file to the learner that understands it.
public enum ExperimentKind: String, CaseIterable, Sendable {
    case sinusoid
    case omniglot
    case metaRL = "meta-rl"
    case metaGradientRL = "meta-gradient-rl"
    case learnedOptimizer = "learned-optimizer"

    /// The kind of the config at `url`; a missing or unknown kind names the file and the choices.
    public init(of url: URL) throws {
        let node = try composeConfigFile(url)
        let choices = Self.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = node["kind"]?.string else {
            throw ConfigError(file: url.path, key: "kind", message: "missing: every experiment config names its kind (\(choices))")
        }
        guard let kind = Self(rawValue: name) else {
            throw ConfigError(file: url.path, key: "kind", message: "unknown kind '\(name)' (\(choices))")
        }
        self = kind
    }
}
