import CZlib
import Foundation
import Graphics
import Parallel
import SeededRandom

/// An offline few-shot benchmark in Omniglot's shape, rendered from the Noto fonts Debian ships:
/// each script is an alphabet, each of its letters a class, and each class has `imagesPerCharacter`
/// small greyscale images drawn in the script's font styles with random affine and stroke-width
/// jitter. Scripts are split into train, validation and test alphabets, as Omniglot's background
/// and evaluation sets are. Printed glyphs, not handwriting: numbers on it are not Omniglot's.
public enum GlyphBenchmark {
    public struct Settings: Sendable, Codable, Equatable {
        public var charactersPerScript = 30
        public var imagesPerCharacter = 20
        public var imageSize = 28
        public var seed: UInt64 = 1
        /// Fractions of the scripts held out for validation and for testing.
        public var validationFraction = 0.1
        public var testFraction = 0.3
        /// Scripts with fewer usable letters are left out.
        public var minimumCharacters = 5
        public var workers = 2
        public init() {}
    }

    /// What was written: the classes per split and a checksum over every image file.
    public struct Summary: Sendable, Codable, Equatable {
        public var settings: Settings
        public var freetype: String
        public var fonts: [String]
        /// Split → script → number of characters.
        public var scripts: [String: [String: Int]]
        public var classes: [String: Int]
        public var images: Int
        /// zlib CRC-32 of every image file's bytes, in path order (two generations with the same
        /// fonts and settings give the same value).
        public var crc32: String
    }

    static let splits = ["train", "validation", "test"]
    /// Pixels per em of the renderings the images are resampled from.
    static let renderPixels = 64

    /// A letter chosen for the benchmark: its script, code point, and the fonts that draw it.
    struct Character {
        let script: String
        let codePoint: UInt32
        let fonts: [String]
        var folderName: String { String(format: "U+%04X", codePoint) }
    }

    /// Writes `out/{train,validation,test}/<script>/U+XXXX/NN.png` and `out/manifest.json`.
    public static func generate(fonts folder: URL, out: URL, settings: Settings,
                                progress: (String) -> Void = { _ in }) throws -> Summary {
        let scripts = try ScriptCatalog.scan(folder)
        guard !scripts.isEmpty else { throw Failure(description: "no Noto fonts in \(folder.path) (Debian: apt-get install fonts-noto-core)") }
        progress("\(scripts.count) scripts in \(folder.path); choosing letters")
        let chosen = try chooseCharacters(scripts, settings: settings)
        let bySplit = split(Array(Set(chosen.map(\.script))).sorted(), settings: settings)
        progress("\(chosen.count) characters in \(bySplit.values.reduce(0) { $0 + $1.count }) scripts; rendering \(chosen.count * settings.imagesPerCharacter) images")

        let splitOf = Dictionary(uniqueKeysWithValues: bySplit.flatMap { split, names in names.map { ($0, split) } })
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let files = try parallelMap(chosen.count, workers: settings.workers) { i, _ -> [(String, [UInt8])] in
            let character = chosen[i]
            let folder = "\(splitOf[character.script]!)/\(character.script)/\(character.folderName)"
            return try images(of: character, settings: settings).enumerated().map { j, png in
                (String(format: "\(folder)/%02d.png", j + 1), png)
            }
        }.flatMap { $0 }.sorted { $0.0 < $1.0 }
        var crc: uLong = 0
        for (path, bytes) in files {
            let url = out.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
            crc = bytes.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        }
        var scriptsBySplit: [String: [String: Int]] = [:]
        for character in chosen { scriptsBySplit[splitOf[character.script]!, default: [:]][character.script, default: 0] += 1 }
        let summary = Summary(settings: settings, freetype: FontFace.libraryVersion, fonts: scripts.flatMap(\.fonts).map { URL(fileURLWithPath: $0).lastPathComponent }.sorted(),
                              scripts: scriptsBySplit, classes: scriptsBySplit.mapValues { $0.values.reduce(0, +) },
                              images: files.count, crc32: String(format: "%08x", crc))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: out.appendingPathComponent("manifest.json"))
        return summary
    }

    /// Each script's letters: candidates its first font draws with enough ink to be a letter
    /// (not a combining mark), without a twin (a letter that renders identically to one already
    /// taken, in this script or an earlier one), then at most `charactersPerScript` evenly spaced
    /// in code-point order.
    static func chooseCharacters(_ scripts: [ScriptCatalog.Script], settings: Settings) throws -> [Character] {
        let rendered = try parallelMap(scripts.count, workers: settings.workers) { i, _ -> [(Character, [UInt8])] in
            let script = scripts[i]
            let faces = try script.fonts.map(FontFace.init)
            let canonical = faces.first { $0.path.contains("-Regular") } ?? faces[0]
            let present = faces.map { Set($0.codePoints) }
            return canonical.codePoints.filter { ScriptCatalog.isCandidate($0, of: script.name) }.compactMap { point in
                guard let glyph = canonical.coverage(of: point, pixels: renderPixels, stroke: 0), let box = glyph.inkBox,
                      max(box.x1 - box.x0, box.y1 - box.y0) * 10 >= renderPixels * 3,
                      let image = GlyphJitter.canonical.image(of: glyph, size: settings.imageSize) else { return nil }
                let fonts = zip(script.fonts, present).filter { $1.contains(point) }.map(\.0)
                return (Character(script: script.name, codePoint: point, fonts: fonts), image.map { UInt8(($0 * 255).rounded()) })
            }
        }
        var seen = Set<[UInt8]>()
        var chosen: [Character] = []
        for letters in rendered {
            let distinct = letters.filter { seen.insert($0.1).inserted }.map(\.0)
            guard distinct.count >= settings.minimumCharacters else { continue }
            let count = min(settings.charactersPerScript, distinct.count)
            chosen += (0..<count).map { distinct[$0 * distinct.count / count] }
        }
        return chosen
    }

    /// Scripts into train, validation and test, shuffled by the seed.
    static func split(_ scripts: [String], settings: Settings) -> [String: [String]] {
        var order = scripts
        var rng = Xoshiro256(seed: settings.seed)
        rng.shuffle(&order)
        let test = Int((Double(order.count) * settings.testFraction).rounded())
        let validation = Int((Double(order.count) * settings.validationFraction).rounded())
        return ["test": Array(order[..<test]).sorted(), "validation": Array(order[test ..< test + validation]).sorted(),
                "train": Array(order[(test + validation)...]).sorted()]
    }

    /// A character's images as PNG files: image j in font j mod (its fonts), every one jittered
    /// by draws from a generator seeded by the seed, the script and the code point alone.
    static func images(of character: Character, settings: Settings) throws -> [[UInt8]] {
        let faces = try character.fonts.map(FontFace.init)
        var rng = Xoshiro256(seed: settings.seed &+ stableHash("\(character.script)/\(character.codePoint)"))
        return try (0..<settings.imagesPerCharacter).map { j in
            let jitter = GlyphJitter.random(using: &rng)
            let face = faces[j % faces.count]
            guard let glyph = face.coverage(of: character.codePoint, pixels: renderPixels, stroke: jitter.stroke)
                    ?? face.coverage(of: character.codePoint, pixels: renderPixels, stroke: 0),
                  let ink = jitter.image(of: glyph, size: settings.imageSize) else {
                throw Failure(description: "\(face.path) cannot draw \(character.folderName)")
            }
            var canvas = Canvas(width: settings.imageSize, height: settings.imageSize)
            for (k, value) in ink.enumerated() {
                let grey = UInt8(((1 - value) * 255).rounded())
                canvas.set(k % settings.imageSize, k / settings.imageSize, RGB(grey, grey, grey))
            }
            return PNG.encode(canvas)
        }
    }

    /// FNV-1a of the UTF-8 bytes: the same on every machine and run (Swift's `hashValue` is not).
    static func stableHash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}
