import Foundation
import Yams

/// Loading experiment configs from YAML: one general mechanism for every config type.
///
/// A config type is `Codable` with a `defaults` value (the paper's settings). A file lists only the
/// keys it changes: its YAML is laid over the encoded defaults and the result decoded. A key the
/// defaults do not have is an unknown key, an error that names the file and the key's path, as is
/// a value of the wrong type and anything `validate()` rejects. A file may name another as its
/// `base` (a path relative to it): it is then laid over that file, which is laid over the
/// defaults, so a variant of an experiment lists only what it changes.
public protocol ConfigFile: Codable, Sendable {
    static var defaults: Self { get }
    /// Top-level keys a file must give (the rest default): `kind`, and e.g. a meta-RL config's env.
    static var requiredKeys: [String] { get }
    /// Checks ranges and consistency; throw `ConfigError.invalid(key:message:)` naming the key.
    func validate() throws
}

extension ConfigFile {
    public func validate() throws {}
    public static var requiredKeys: [String] { ["kind"] }

    /// Reads and validates a config file (laid over its `base`, if it names one). A base is a
    /// config of its own, checked first, so that its mistakes name it.
    public static func load(_ url: URL) throws -> Self {
        let node = try composeConfigFile(url)
        if let base = try baseFile(of: composeYAML(readYAMLFile(url), file: url.path), in: url) { _ = try load(base) }
        return try parse(node: node, file: url.path)
    }

    /// Parses YAML text over the defaults; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws -> Self {
        try parse(node: try composeYAML(text, file: file), file: file)
    }

    static func parse(node fileNode: Node, file: String) throws -> Self {
        guard case .mapping(let top) = fileNode else {
            throw ConfigError(file: file, key: "", message: "expected a mapping of keys at the top level")
        }
        for key in requiredKeys where top[Node(key)] == nil {
            throw ConfigError(file: file, key: key, message: "missing: this config must give it")
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

/// A config file's YAML laid over the file its `base` key names (a chain of at most 8 files,
/// without cycles).
public func composeConfigFile(_ url: URL, derived: [URL] = []) throws -> Node {
    let node = try composeYAML(try readYAMLFile(url), file: url.path)
    guard let baseURL = try baseFile(of: node, in: url), case .mapping(var top) = node else { return node }
    func refuse(_ message: String) -> ConfigError { ConfigError(file: url.path, key: "base", message: message) }
    let chain = derived + [url.standardizedFileURL]
    if chain.contains(baseURL) { throw refuse("\(baseURL.path) derives from this file: a cycle") }
    guard chain.count < 8 else { throw refuse("more than 8 files deep") }
    top["base"] = nil
    return try overlay(.mapping(top), on: composeConfigFile(baseURL, derived: chain), path: [], file: url.path)
}

/// The existing file a config's `base` key names, relative to the config's folder (nil: no base).
func baseFile(of node: Node, in url: URL) throws -> URL? {
    guard let value = node["base"] else { return nil }
    func refuse(_ message: String) -> ConfigError { ConfigError(file: url.path, key: "base", message: message) }
    guard let name = value.string, !name.isEmpty else { throw refuse("expected the path of another config file") }
    let base = URL(fileURLWithPath: name, relativeTo: url.deletingLastPathComponent()).standardizedFileURL
    guard FileManager.default.fileExists(atPath: base.path) else { throw refuse("no such file \(base.path)") }
    return base
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

/// A YAML file's text (configs and robot files): a readable, regular UTF-8 file of at most 1 MB
/// (they are a few dozen lines).
public func readYAMLFile(_ url: URL) throws -> String {
    func refuse(_ message: String) -> ConfigError { ConfigError(file: url.path, key: "", message: message) }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        // Experiment configs moved from envs/ to envs/experiments/: the old paths still read.
        let moved = url.deletingLastPathComponent().appendingPathComponent("experiments").appendingPathComponent(url.lastPathComponent)
        if url.deletingLastPathComponent().lastPathComponent == "envs", FileManager.default.fileExists(atPath: moved.path) {
            return try readYAMLFile(moved)
        }
        throw refuse("no such file")
    }
    guard !isDirectory.boolValue else { throw refuse("is a folder, not a config file") }
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    guard size <= 1 << 20 else { throw refuse("is \(size) bytes; a config is at most 1 MB") }
    guard let data = FileManager.default.contents(atPath: url.path) else { throw refuse("cannot read the file") }
    guard let text = String(data: data, encoding: .utf8) else { throw refuse("is not UTF-8 text") }
    guard !text.contains("\0") else { throw refuse("contains a NUL byte: not a text file") }
    return text
}

/// Parses YAML (or JSON) into a node tree, refusing what configs and robot files never need and what would let a small file
/// take unbounded time or memory: anchors and aliases (which "billion laughs" files multiply) and
/// flow nesting deeper than 16 (the composer recurses). Parser errors keep their line and column.
public func composeYAML(_ text: String, file: String) throws -> Node {
    func refuse(_ message: String) -> ConfigError { ConfigError(file: file, key: "", message: message) }
    if let problem = prescan(text) { throw refuse(problem) }
    do {
        return try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
    } catch {
        throw refuse("not valid YAML: \(error)")
    }
}

/// A lexical pass over YAML text (outside quotes and comments): the first anchor, alias or
/// over-deep flow nesting, described, or nil.
private func prescan(_ text: String) -> String? {
    var depth = 0
    var quote: Character? = nil
    var comment = false
    var previous: Character = "\n"
    for c in text {
        defer { previous = c }
        if comment { if c == "\n" { comment = false }; continue }
        if let q = quote { if c == q { quote = nil }; continue }
        let atTokenStart = previous == "\n" || previous == " " || previous == "\t" || "[{,:-".contains(previous)
        switch c {
        case "\"" where atTokenStart, "'" where atTokenStart: quote = c
        case "#" where atTokenStart: comment = true
        case "&" where atTokenStart, "*" where atTokenStart:
            return "YAML anchors and aliases (&name, *name) are not allowed in configs"
        case "[", "{":
            depth += 1
            if depth > 16 { return "nested deeper than 16 levels" }
        case "]", "}": depth = max(0, depth - 1)
        default: break
        }
    }
    return nil
}
