import CFreeType
import Foundation

/// One font file opened with FreeType: which characters it has, and a character's ink as a
/// coverage bitmap at a pixel size, its strokes thickened or thinned by a given width.
/// Not thread-safe (FreeType faces are not): one face per thread.
final class FontFace {
    let path: String
    private let library: FT_Library
    private let face: FT_Face

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        self.path = path
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { throw Failure(description: "FreeType did not start") }
        var face: FT_Face?
        guard FT_New_Face(library, path, 0, &face) == 0, let face else {
            FT_Done_FreeType(library)
            throw Failure(description: "\(path): FreeType cannot read this font")
        }
        (self.library, self.face) = (library, face)
    }

    /// FreeType's version, e.g. "2.12.1" (renderings can differ between versions).
    static var libraryVersion: String {
        var library: FT_Library?
        guard FT_Init_FreeType(&library) == 0, let library else { return "unknown" }
        defer { FT_Done_FreeType(library) }
        var (major, minor, patch): (FT_Int, FT_Int, FT_Int) = (0, 0, 0)
        FT_Library_Version(library, &major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    deinit {
        FT_Done_Face(face)
        FT_Done_FreeType(library)
    }

    /// Every Unicode code point the font maps to a glyph, ascending.
    var codePoints: [UInt32] {
        guard FT_Select_Charmap(face, FT_ENCODING_UNICODE) == 0 else { return [] }
        var points: [UInt32] = []
        var index: FT_UInt = 0
        var code = FT_Get_First_Char(face, &index)
        while index != 0 {
            points.append(UInt32(code))
            code = FT_Get_Next_Char(face, code, &index)
        }
        return points.sorted()
    }

    /// A character's coverage (0 … 1, row-major, `width` × `height`), rendered unhinted at
    /// `pixels` per em with its outline grown by `stroke` pixels (negative: thinner); nil if the
    /// font has no outline for it or it has no ink.
    func coverage(of codePoint: UInt32, pixels: Int, stroke: Double) -> Bitmap? {
        guard FT_Set_Pixel_Sizes(face, 0, FT_UInt(pixels)) == 0 else { return nil }
        let glyph = FT_Get_Char_Index(face, FT_ULong(codePoint))
        // FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP: the designed outline, never an embedded bitmap.
        guard glyph != 0, FT_Load_Glyph(face, glyph, FT_Int32(2 | 8)) == 0 else { return nil }
        let slot = face.pointee.glyph!
        guard slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE else { return nil }
        // FT_Outline_Embolden moves each edge by half the strength, in 26.6 fixed point.
        if stroke != 0 { FT_Outline_Embolden(&slot.pointee.outline, FT_Pos((stroke * 64).rounded())) }
        guard FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL) == 0 else { return nil }
        let bitmap = slot.pointee.bitmap
        let (width, height, pitch) = (Int(bitmap.width), Int(bitmap.rows), Int(bitmap.pitch))
        guard width > 0, height > 0, let buffer = bitmap.buffer else { return nil }
        var values = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width { values[y * width + x] = Float(buffer[y * pitch + x]) / 255 }
        }
        return Bitmap(width: width, height: height, values: values)
    }
}

/// Coverage in 0 … 1, row-major, 0 where there is no ink.
struct Bitmap: Equatable {
    let width: Int
    let height: Int
    var values: [Float]

    subscript(x: Int, y: Int) -> Float {
        x >= 0 && y >= 0 && x < width && y < height ? values[y * width + x] : 0
    }

    /// Bilinear coverage at a point in pixel coordinates (pixel centres at +0.5).
    func sample(_ x: Double, _ y: Double) -> Float {
        let (u, v) = (x - 0.5, y - 0.5)
        let (x0, y0) = (Int(u.rounded(.down)), Int(v.rounded(.down)))
        let (fx, fy) = (Float(u - Double(x0)), Float(v - Double(y0)))
        let top = self[x0, y0] * (1 - fx) + self[x0 + 1, y0] * fx
        let bottom = self[x0, y0 + 1] * (1 - fx) + self[x0 + 1, y0 + 1] * fx
        return top * (1 - fy) + bottom * fy
    }

    /// The ink's bounding box (coverage above a quarter), nil if there is none.
    var inkBox: (x0: Int, y0: Int, x1: Int, y1: Int)? {
        var box: (x0: Int, y0: Int, x1: Int, y1: Int)?
        for y in 0..<height {
            for x in 0..<width where values[y * width + x] > 0.25 {
                box = box.map { (min($0.x0, x), min($0.y0, y), max($0.x1, x + 1), max($0.y1, y + 1)) } ?? (x, y, x + 1, y + 1)
            }
        }
        return box
    }
}
