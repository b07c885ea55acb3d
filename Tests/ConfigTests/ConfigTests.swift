import Foundation
import Testing
@testable import Config

/// The config mechanism on a small config type of its own: defaults overlaid, unknown and missing
/// keys, range checks, the YAML that configs refuse, and files derived from a base file.
@Suite struct ConfigTests {
    struct Example: ConfigFile, Equatable {
        struct Inner: Codable, Sendable, Equatable { var rate: Double = 0.5; var count = 3 }
        var kind = "example"
        var name = "default"
        var sizes = [1, 2]
        var inner = Inner()
        static let defaults = Example()
        static var requiredKeys: [String] { ["kind", "name"] }
        func validate() throws {
            try ConfigError.checkPositive("inner.rate", inner.rate, atMost: 1)
            try ConfigError.check("inner.count", inner.count, in: 1...10)
            try ConfigError.check("sizes", sizes, in: 1...100)
        }
    }

    func error(_ text: String) -> ConfigError? {
        do { _ = try Example.parse(text, file: "e.yaml"); return nil } catch { return error as? ConfigError }
    }

    @Test func aFileChangesOnlyTheKeysItGives() throws {
        let parsed = try Example.parse("kind: example\nname: x\ninner:\n  count: 7\n", file: "e.yaml")
        #expect(parsed == Example(kind: "example", name: "x", sizes: [1, 2], inner: .init(rate: 0.5, count: 7)))
    }

    @Test func mistakesNameTheFileTheKeyAndWhatIsAllowed() {
        let head = "kind: example\nname: x\n"
        #expect(error(head + "inner:\n  rat: 0.1\n")?.key == "inner.rat")
        #expect(error("kind: example\n")?.key == "name")
        #expect(error(head + "inner:\n  count: many\n")?.key == "inner.count")
        let range = error(head + "inner:\n  count: 11\n")
        #expect(range?.file == "e.yaml" && range?.key == "inner.count" && range?.message == "11 is outside 1…10")
        for value in [".nan", ".inf", "0", "-1", "2"] {
            #expect(error(head + "inner:\n  rate: \(value)\n")?.key == "inner.rate", "\(value)")
        }
        #expect(error(head + "sizes: [1, 0]\n")?.key == "sizes")
    }

    @Test func yamlThatConfigsNeverNeedIsRefusedBeforeParsing() {
        let head = "kind: example\nname: x\n"
        #expect(error(head + "a: &anchor 1\n")?.message.contains("anchors") == true)
        #expect(error(head + "sizes: [*a]\n")?.message.contains("aliases") == true)
        #expect(error(head + "sizes: " + String(repeating: "[", count: 17) + String(repeating: "]", count: 17) + "\n")?
            .message.contains("deeper") == true)
        #expect(error(head + "sizes: [1\n")?.message.hasPrefix("not valid YAML") == true)
        // The same characters inside quotes and comments are text.
        #expect(error("kind: example\nname: \"a & *b [[[[[[[[[[[[[[[[[[\"  # &c *d\n") == nil)
    }

    /// Writes `files` (name → text) into a fresh folder and loads `name` from it.
    func load(_ name: String, _ files: [String: String]) throws -> Example {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (file, text) in files { try text.write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8) }
        return try Example.load(folder.appendingPathComponent(name))
    }

    func loadError(_ name: String, _ files: [String: String]) -> ConfigError? {
        do { _ = try load(name, files); return nil } catch { return error as? ConfigError }
    }

    @Test func aDerivedFileChangesOnlyTheKeysItGivesOverItsBase() throws {
        let base = "kind: example\nname: base\nsizes: [4]\ninner:\n  rate: 0.25\n  count: 5\n"
        let files = ["base.yaml": base, "sub/variant.yaml": "base: ../base.yaml\ninner:\n  count: 9\n",
                     "sub/twice.yaml": "base: variant.yaml\nname: twice\n"]
        #expect(try load("sub/variant.yaml", files) == Example(kind: "example", name: "base", sizes: [4], inner: .init(rate: 0.25, count: 9)))
        #expect(try load("sub/twice.yaml", files) == Example(kind: "example", name: "twice", sizes: [4], inner: .init(rate: 0.25, count: 9)))
    }

    @Test func aBaseMistakeNamesTheFileItIsIn() {
        let good = "kind: example\nname: x\n"
        // A wrong key or value in the base names the base; one in the derived file names it.
        let inBase = loadError("v.yaml", ["b.yaml": good + "inner:\n  rat: 1\n", "v.yaml": "base: b.yaml\n"])
        #expect(inBase?.key == "inner.rat" && inBase?.file.hasSuffix("/b.yaml") == true, "\(String(describing: inBase))")
        let inVariant = loadError("v.yaml", ["b.yaml": good, "v.yaml": "base: b.yaml\ninner:\n  count: 0\n"])
        #expect(inVariant?.key == "inner.count" && inVariant?.file.hasSuffix("/v.yaml") == true, "\(String(describing: inVariant))")
        // The base key itself: missing file, not a path, a cycle.
        #expect(loadError("v.yaml", ["v.yaml": "base: none.yaml\n"])?.message.hasPrefix("no such file") == true)
        #expect(loadError("v.yaml", ["v.yaml": "base: [1]\n"])?.key == "base")
        let cycle = loadError("a.yaml", ["a.yaml": good + "base: b.yaml\n", "b.yaml": "base: a.yaml\n"])
        #expect(cycle?.key == "base" && cycle?.message.contains("cycle") == true, "\(String(describing: cycle))")
        #expect(loadError("a.yaml", ["a.yaml": good + "base: a.yaml\n"])?.message.contains("cycle") == true)
    }
}
