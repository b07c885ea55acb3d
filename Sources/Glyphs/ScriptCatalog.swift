import Foundation

/// The writing systems of a folder of Noto fonts (Debian's `fonts-noto-core`): each script's font
/// files (its styles: sans and serif, regular and bold, Tifinagh's regional forms, …) and the code
/// points that are its letters.
struct ScriptCatalog {
    struct Script: Equatable {
        let name: String
        /// Font files, sorted by name.
        var fonts: [String]
        /// Code points of the letters, every one present in the first font.
        var codePoints: [UInt32] = []
    }

    let scripts: [Script]

    /// Families that are not a script's letters (symbols, notation, numerals) or duplicate another
    /// family (Latin display cuts).
    static let excludedFamilies: Set = ["NotoMusic", "NotoSansMath", "NotoSansSymbols", "NotoSansSymbols2", "NotoSansIndicSiyaqNumbers",
                                        "NotoSansMayanNumerals", "NotoSansSignWriting", "NotoSansDisplay", "NotoSerifDisplay"]

    /// Family name (file name before the style) → script name: `NotoSerifArmenian` → Armenian,
    /// `NotoNaskhArabic` → Arabic, `NotoSansTifinaghAdrar` → Tifinagh; the plain `NotoSans` and
    /// `NotoSerif` (Latin, Greek, Cyrillic) are split by Unicode block in `letters(of:in:)`.
    static func script(ofFamily family: String) -> String? {
        if excludedFamilies.contains(family) { return nil }
        var name = family
        for prefix in ["NotoSans", "NotoSerif", "NotoKufi", "NotoNaskh", "NotoNastaliq", "NotoLooped", "NotoRashi", "NotoTraditional"]
        where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
            break
        }
        if name.isEmpty { return "" }
        let merged = ["Urdu": "Arabic", "AdlamUnjoined": "Adlam", "TamilSlanted": "Tamil"]
        if name.hasPrefix("Tifinagh") { return "Tifinagh" }
        return merged[name] ?? name
    }

    /// Scripts of the Noto fonts in `folder`, sorted by name (Latin, Greek and Cyrillic from the
    /// plain `NotoSans`/`NotoSerif` families).
    static func scan(_ folder: URL) throws -> [Script] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { ($0.hasSuffix(".ttf") || $0.hasSuffix(".otf")) && $0.hasPrefix("Noto") }.sorted()
        var byScript: [String: [String]] = [:]
        for file in files {
            let family = String(file.prefix { $0 != "-" && $0 != "." })
            guard let script = script(ofFamily: family) else { continue }
            let path = folder.appendingPathComponent(file).path
            if script.isEmpty {
                for block in ["Latin", "Greek", "Cyrillic"] { byScript[block, default: []].append(path) }
            } else {
                byScript[script, default: []].append(path)
            }
        }
        return byScript.keys.sorted().map { Script(name: $0, fonts: byScript[$0]!.sorted()) }
    }

    /// Whether a code point can be one of `script`'s letters: a letter to Unicode (not a mark,
    /// digit, punctuation or symbol), and the Latin, Greek and Cyrillic capitals for those three,
    /// and for every other script one outside the blocks every font shares (ASCII, Latin, general punctuation and symbols, CJK punctuation, variation selectors,
    /// presentation forms, private use).
    static func isCandidate(_ point: UInt32, of script: String) -> Bool {
        let letters: Set<Unicode.GeneralCategory> = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .otherLetter]
        guard let scalar = Unicode.Scalar(point), letters.contains(scalar.properties.generalCategory) else { return false }
        switch script {
        // Capitals only: scaled to the same size, c and C (or о and О) would be one class twice.
        case "Latin": return (0x41...0x5A).contains(point)
        case "Greek": return (0x391...0x3A9).contains(point)
        case "Cyrillic": return (0x410...0x42F).contains(point)
        default:
            let shared: [ClosedRange<UInt32>] = [0...0x36F, 0x1DC0...0x1DFF, 0x1E00...0x1EFF, 0x2000...0x2BFF, 0x2E00...0x2E7F,
                                                 0x3000...0x303F, 0xE000...0xF8FF, 0xFB00...0xFFFF]
            return !shared.contains { $0.contains(point) }
        }
    }
}
