import Foundation
import Yams

/// Loading experiment configs from YAML: one general mechanism for every config type.
///
/// A config type is `Codable` with a `defaults` value (the paper's settings). A file lists only the
/// keys it changes: its YAML is laid over the encoded defaults and the result decoded. A key the
/// defaults do not have is an unknown key, an error that names the file and the key's path, as is
/// a value of the wrong type and anything `validate()` rejects.
public protocol ConfigFile: Codable, Sendable {
    static var defaults: Self { get }
    /// Checks ranges and consistency; throw `ConfigError.invalid(key:message:)` naming the key.
    func validate() throws
}

extension ConfigFile {
    public func validate() throws {}

    /// Reads and validates a config file.
    public static func load(_ url: URL) throws -> Self {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(file: url.path, key: "", message: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(text, file: url.path)
    }

    /// Parses YAML text over the defaults; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws -> Self {
        let fileNode: Node
        do { fileNode = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([])) } catch {
            throw ConfigError(file: file, key: "", message: "not valid YAML: \(error)")
        }
        let defaultNode = try Yams.compose(yaml: YAMLEncoder().encode(defaults))!
        let merged = try overlay(fileNode, on: defaultNode, path: [], file: file)
        let value: Self
        do { value = try YAMLDecoder().decode(Self.self, from: Yams.serialize(node: merged)) } catch let error as DecodingError {
            throw ConfigError(decoding: error, file: file)
        }
        // A key is known if it survives decoding and encoding again (this also admits optional
        // fields, which the encoded defaults omit while they are nil).
        try requireKnownKeys(fileNode, in: Yams.compose(yaml: YAMLEncoder().encode(value))!, path: [], file: file)
        do { try value.validate() } catch let error as ConfigError {
            throw ConfigError(file: file, key: error.key, message: error.message)
        }
        return value
    }

    /// The config as YAML (written into every run folder, so a run records what it ran).
    public func yaml() throws -> String { try YAMLEncoder().encode(self) }
}

/// `top` laid over `base`: mappings merge key by key; anything else in `top` replaces `base`.
private func overlay(_ top: Node, on base: Node, path: [String], file: String) throws -> Node {
    guard case .mapping(let baseMap) = base else { return top }
    guard case .mapping(let topMap) = top else {
        throw ConfigError(file: file, key: path.joined(separator: "."), message: "expected a mapping of keys")
    }
    var result = baseMap
    for (keyNode, value) in topMap {
        result[keyNode] = try baseMap[keyNode].map { try overlay(value, on: $0, path: path + [keyNode.string ?? "?"], file: file) } ?? value
    }
    return .mapping(result)
}

/// Throws for the first key of `file` that `known` lacks, naming its dotted path.
private func requireKnownKeys(_ file: Node, in known: Node, path: [String], file name: String) throws {
    guard case .mapping(let fileMap) = file, case .mapping(let knownMap) = known else { return }
    for (keyNode, value) in fileMap {
        let key = path + [keyNode.string ?? "\(keyNode)"]
        guard let match = knownMap[keyNode] else {
            let choices = knownMap.keys.compactMap(\.string).sorted().joined(separator: ", ")
            throw ConfigError(file: name, key: key.joined(separator: "."), message: "unknown key (known here: \(choices))")
        }
        try requireKnownKeys(value, in: match, path: key, file: name)
    }
}

/// A config problem, naming the file and the dotted path of the key.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let key: String
    public let message: String

    public init(file: String, key: String, message: String) {
        self.file = file
        self.key = key
        self.message = message
    }

    /// For `validate()`: the file is filled in by the loader.
    public static func invalid(key: String, _ message: String) -> ConfigError {
        ConfigError(file: "", key: key, message: message)
    }

    init(decoding error: DecodingError, file: String) {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            self.init(file: file, key: path(c), message: c.debugDescription)
        case .keyNotFound(let k, let c):
            self.init(file: file, key: (c.codingPath + [k]).map(\.stringValue).joined(separator: "."), message: "missing")
        @unknown default:
            self.init(file: file, key: "", message: "\(error)")
        }
    }

    public var description: String {
        key.isEmpty ? "\(file): \(message)" : "\(file): key '\(key)': \(message)"
    }
}

/// The `kind` key every experiment config starts with (`sinusoid`, `omniglot`, `meta-rl`), read
/// before the whole file so the CLI can hand the file to the learner that understands it.
public func experimentKind(of url: URL) throws -> String {
    let text: String
    do { text = try String(contentsOf: url, encoding: .utf8) } catch {
        throw ConfigError(file: url.path, key: "", message: "cannot read the file (\(error.localizedDescription))")
    }
    guard let node = try? Yams.compose(yaml: text), let kind = node["kind"]?.string else {
        throw ConfigError(file: url.path, key: "kind", message: "missing: every experiment config names its kind (sinusoid, omniglot or meta-rl)")
    }
    return kind
}
