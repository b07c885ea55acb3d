import CZlib
import Foundation

/// PNG encoder for `Canvas` (8-bit truecolour, no interlace; W3C PNG spec, 2nd ed.), compressed
/// with zlib's `compress2` and checksummed with its `crc32`.
public enum PNG {
    public static func encode(_ canvas: Canvas) -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(canvas.width))
        header.appendBigEndian(UInt32(canvas.height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type 2 (RGB), deflate, adaptive filter, no interlace
        chunk("IHDR", header, into: &out)
        // Each scanline starts with its filter type; 0 (none) keeps the encoder trivial.
        let stride = canvas.width * 3
        var raw = [UInt8](repeating: 0, count: canvas.height * (stride + 1))
        for y in 0..<canvas.height {
            raw.withUnsafeMutableBufferPointer { dst in
                canvas.pixels.withUnsafeBufferPointer { src in
                    for i in 0..<stride { dst[y * (stride + 1) + 1 + i] = src[y * stride + i] }
                }
            }
        }
        chunk("IDAT", deflate(raw), into: &out)
        chunk("IEND", [], into: &out)
        return out
    }

    public static func write(_ canvas: Canvas, to path: String) throws {
        try Data(encode(canvas)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// zlib stream of `data` at the default level.
    static func deflate(_ data: [UInt8]) -> [UInt8] {
        var size = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        let status = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &size, src.baseAddress, uLong(data.count), Z_DEFAULT_COMPRESSION)
            }
        }
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Array(out.prefix(Int(size)))
    }

    static func chunk(_ type: String, _ body: [UInt8], into out: inout [UInt8]) {
        out.appendBigEndian(UInt32(body.count))
        let typed = Array(type.utf8) + body
        out += typed
        let crc = typed.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        out.appendBigEndian(UInt32(crc))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8(v >> 16 & 0xFF)); append(UInt8(v >> 8 & 0xFF)); append(UInt8(v & 0xFF))
    }
    mutating func appendLittleEndian(_ v: UInt16) {
        append(UInt8(v & 0xFF)); append(UInt8(v >> 8))
    }
}
