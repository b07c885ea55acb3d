import ArgumentParser

/// `adapt bench <suite>`: performance figures as JSON. Performance claims live here, never in tests.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of a part of Adapt and print the figures.",
        subcommands: [BenchAutodiff.self, BenchEnvs.self, BenchMetaRL.self, BenchSinusoid.self]
    )
}
