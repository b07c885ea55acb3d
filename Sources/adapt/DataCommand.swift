import ArgumentParser
import Foundation
import Glyphs

/// `adapt data glyphs`: builds the offline few-shot benchmark from installed fonts.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Build datasets from what the machine has installed.", subcommands: [Glyphs.self])

    struct Glyphs: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the glyph benchmark: Noto scripts as alphabets, letters as classes, jittered 28×28 images, split by script.")

        @Option(help: "Output folder (train/, validation/, test/ in the Omniglot layout script/character/NN.png, and manifest.json).")
        var out = "data/glyphs"
        @Option(help: "Folder of Noto fonts (Debian: fonts-noto-core).") var fonts = "/usr/share/fonts/truetype/noto"
        @Option(help: "Most letters taken from one script (evenly spaced in code-point order).") var charactersPerScript = 30
        @Option(help: "Images per letter.") var images = 20
        @Option(help: "Image side in pixels.") var size = 28
        @Option(help: "Seed of the jitter and of the split.") var seed: UInt64 = 1

        func validate() throws {
            try Limits.check("--characters-per-script", charactersPerScript, in: 1...10_000)
            try Limits.check("--images", images, in: 1...1000)
            try Limits.check("--size", size, in: 8...256)
        }

        func run() throws {
            let output = URL(fileURLWithPath: out)
            if FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.json").path) {
                throw ValidationError("\(out) already holds a generated benchmark: remove it or give another --out")
            }
            var settings = GlyphBenchmark.Settings()
            settings.charactersPerScript = charactersPerScript
            settings.imagesPerCharacter = images
            settings.imageSize = size
            settings.seed = seed
            let summary = try GlyphBenchmark.generate(fonts: URL(fileURLWithPath: fonts), out: output, settings: settings) { print($0) }
            for split in ["train", "validation", "test"] {
                print("\(split): \(summary.classes[split] ?? 0) characters in \(summary.scripts[split]?.count ?? 0) scripts")
            }
            print("\(summary.images) images, CRC-32 \(summary.crc32) (FreeType \(summary.freetype)); \(out)/manifest.json")
        }
    }
}
