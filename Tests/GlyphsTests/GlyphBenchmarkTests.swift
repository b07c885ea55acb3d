import Foundation
import Graphics
import MetaLearning
import Testing
@testable import Glyphs

/// The glyph benchmark from real Noto fonts (Debian's fonts-noto-core) and real files: a small
/// set of five scripts, generated twice, read back by the few-shot loader with its script split.
@Suite(.serialized) struct GlyphBenchmarkTests {
    static let noto = URL(fileURLWithPath: "/usr/share/fonts/truetype/noto")
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-glyphs-\(UUID().uuidString)")

    /// A font folder with a few scripts: Armenian in three styles, Georgian, Cherokee, Thai (whose
    /// vowel signs are combining marks) and the plain NotoSans (Latin, Greek, Cyrillic).
    static func fonts() throws -> URL {
        let fonts = folder.appendingPathComponent("fonts")
        guard !FileManager.default.fileExists(atPath: fonts.path) else { return fonts }
        try FileManager.default.createDirectory(at: fonts, withIntermediateDirectories: true)
        for name in ["NotoSansArmenian-Regular", "NotoSansArmenian-Bold", "NotoSerifArmenian-Regular", "NotoSansGeorgian-Regular",
                     "NotoSansCherokee-Regular", "NotoSansThai-Regular", "NotoSans-Regular", "NotoMusic-Regular"] {
            let source = noto.appendingPathComponent("\(name).ttf")
            try #require(FileManager.default.fileExists(atPath: source.path), "install fonts-noto-core")
            try FileManager.default.createSymbolicLink(at: fonts.appendingPathComponent("\(name).ttf"), withDestinationURL: source)
        }
        return fonts
    }

    static var settings: GlyphBenchmark.Settings {
        var s = GlyphBenchmark.Settings()
        s.charactersPerScript = 6
        s.imagesPerCharacter = 4
        s.validationFraction = 0.2
        s.testFraction = 0.4
        return s
    }

    @Test func scriptsComeFromFamilies() throws {
        let scripts = try ScriptCatalog.scan(try Self.fonts())
        #expect(scripts.map(\.name) == ["Armenian", "Cherokee", "Cyrillic", "Georgian", "Greek", "Latin", "Thai"])
        #expect(scripts.first { $0.name == "Armenian" }?.fonts.count == 3)
        #expect(ScriptCatalog.script(ofFamily: "NotoSansTifinaghAdrar") == "Tifinagh")
        #expect(ScriptCatalog.script(ofFamily: "NotoNaskhArabic") == "Arabic")
        #expect(ScriptCatalog.script(ofFamily: "NotoMusic") == nil)
    }

    /// Letters only (Thai's vowel signs and tone marks are combining marks, its digits are not
    /// letters), no two that draw alike (Cyrillic А, Greek Α and Latin A are one glyph in NotoSans:
    /// the first script alphabetically keeps it).
    @Test func charactersAreDistinctLetters() throws {
        var settings = Self.settings
        settings.charactersPerScript = 1000
        let chosen = try GlyphBenchmark.chooseCharacters(try ScriptCatalog.scan(try Self.fonts()), settings: settings)
        let letters: Set<Unicode.GeneralCategory> = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter]
        #expect(chosen.allSatisfy { letters.contains(Unicode.Scalar($0.codePoint)!.properties.generalCategory) })
        let points = Set(chosen.map(\.codePoint))
        #expect(points.contains(0x0E01) && !points.contains(0x0E34) && !points.contains(0x0E51))  // ก kept; ิ and ๑ not
        #expect(points.contains(0x0410) && !points.contains(0x0391) && !points.contains(0x0041))
        #expect(points.contains(0x0042) == false && points.contains(0x0416))  // B is Cyrillic В's twin; Ж has none
        #expect(chosen.filter { $0.script == "Armenian" }.allSatisfy { $0.fonts.count == 3 })
    }

    @Test func generatesTheSameBytesTwiceInOmniglotsLayout() throws {
        let fonts = try Self.fonts()
        let (a, b) = (Self.folder.appendingPathComponent("a"), Self.folder.appendingPathComponent("b"))
        let first = try GlyphBenchmark.generate(fonts: fonts, out: a, settings: Self.settings)
        var threads = Self.settings
        threads.workers = 1
        let second = try GlyphBenchmark.generate(fonts: fonts, out: b, settings: threads)
        #expect(first.crc32 == second.crc32 && first.classes == second.classes && first.images == second.images)
        #expect(first.scripts.values.reduce(0) { $0 + $1.count } == 7)
        #expect(first.scripts["test"]?.count == 3 && first.scripts["validation"]?.count == 1 && first.scripts["train"]?.count == 3)
        #expect(first.images == first.classes.values.reduce(0, +) * 4)

        // One image decoded: 28 × 28, white ground, dark ink of a reasonable area.
        let armenian = first.scripts.first { $0.value["Armenian"] != nil }!.key
        let character = try FileManager.default.contentsOfDirectory(atPath: a.appendingPathComponent("\(armenian)/Armenian").path).sorted()[0]
        let image = try PNGDecoder.decode(contentsOf: a.appendingPathComponent("\(armenian)/Armenian/\(character)/01.png"))
        #expect(image.width == 28 && image.height == 28)
        let ink = image.luminance.filter { $0 < 0.5 }.count
        #expect(image.luminance[0] > 0.99 && (20...400).contains(ink), "\(ink) ink pixels")

        // The loader reads it with the script split: train/ for meta-training, test/ held out.
        let loaded = try ImageFolder.load(a, size: 28)
        let (train, test) = try loaded.classes(under: "train", "test")
        #expect(train.count == first.classes["train"] && test.count == first.classes["test"])
        #expect(Set(train).isDisjoint(with: test))
        #expect(throws: ImageFolder.LoadError.self) { try loaded.classes(under: "train", "evaluation") }
    }

    @Test func aFolderWithoutFontsIsAClearError() throws {
        let empty = Self.folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: GlyphBenchmark.Failure.self) {
            try GlyphBenchmark.generate(fonts: empty, out: Self.folder.appendingPathComponent("none"), settings: Self.settings)
        }
        #expect(throws: (any Error).self) {
            try GlyphBenchmark.generate(fonts: Self.folder.appendingPathComponent("missing"), out: Self.folder.appendingPathComponent("none"), settings: Self.settings)
        }
    }
}
