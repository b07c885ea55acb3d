import Testing
@testable import Config

/// The config mechanism on a small config type of its own: defaults overlaid, unknown and missing
/// keys, range checks, and the YAML that configs refuse.
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
}
