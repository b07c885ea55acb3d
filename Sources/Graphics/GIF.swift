import Foundation

/// Animated GIF (GIF89a) of a sequence of canvases, looping forever. One global palette: scenes
/// use a few flat colours, so the exact colours fit in 256; otherwise frames are quantised to a
/// 6×7×6 colour cube. Compression is GIF's variable-width LZW (GIF89a spec, appendix F), our own.
public struct GIFWriter: Sendable {
    public let width: Int
    public let height: Int
    /// Time per frame in hundredths of a second.
    public var delay: Int
    public private(set) var frames: [Canvas] = []

    public init(width: Int, height: Int, delayCentiseconds: Int = 5) {
        self.width = width
        self.height = height
        delay = delayCentiseconds
    }

    public mutating func add(_ frame: Canvas) {
        precondition(frame.width == width && frame.height == height, "all GIF frames share one size")
        frames.append(frame)
    }

    public func write(to path: String) throws {
        try Data(encode()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public func encode() -> [UInt8] {
        let (palette, index) = Self.palette(frames)
        var out = Array("GIF89a".utf8)
        out.appendLittleEndian(UInt16(width))
        out.appendLittleEndian(UInt16(height))
        out += [0xF7, 0, 0]  // global table of 2^(7+1) colours, 8-bit resolution; background 0; square pixels
        for i in 0..<256 {
            let c = i < palette.count ? palette[i] : 0
            out += [UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
        }
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01, 0x00, 0x00, 0x00]  // loop forever
        var indices = [UInt8](repeating: 0, count: width * height)
        var lzw = LZW()
        for frame in frames {
            out += [0x21, 0xF9, 0x04, 0x04]  // graphic control: keep the frame (disposal 1), no transparency
            out.appendLittleEndian(UInt16(delay))
            out += [0x00, 0x00]
            out += [0x2C, 0, 0, 0, 0]  // image at (0, 0)
            out.appendLittleEndian(UInt16(width))
            out.appendLittleEndian(UInt16(height))
            out.append(0)  // no local colour table, not interlaced
            var last: UInt32 = .max, lastIndex: UInt8 = 0
            for p in 0..<width * height {
                let c = UInt32(frame.pixels[3 * p]) << 16 | UInt32(frame.pixels[3 * p + 1]) << 8 | UInt32(frame.pixels[3 * p + 2])
                if c != last { last = c; lastIndex = index(c) }
                indices[p] = lastIndex
            }
            out.append(8)  // LZW minimum code size
            let data = lzw.encode(indices, minCodeSize: 8)
            var k = 0
            while k < data.count {  // sub-blocks of at most 255 bytes
                let n = min(255, data.count - k)
                out.append(UInt8(n))
                out += data[k..<k + n]
                k += n
            }
            out.append(0)
        }
        out.append(0x3B)
        return out
    }

    /// The palette (0xRRGGBB values) and a colour → index map.
    static func palette(_ frames: [Canvas]) -> ([UInt32], (UInt32) -> UInt8) {
        var seen: [UInt32: UInt8] = [:]
        var colours: [UInt32] = []
        outer: for frame in frames {
            for p in stride(from: 0, to: frame.pixels.count, by: 3) {
                let c = UInt32(frame.pixels[p]) << 16 | UInt32(frame.pixels[p + 1]) << 8 | UInt32(frame.pixels[p + 2])
                if seen[c] == nil {
                    if colours.count == 256 { colours = []; break outer }
                    seen[c] = UInt8(colours.count)
                    colours.append(c)
                }
            }
        }
        if !colours.isEmpty || frames.isEmpty {
            return (colours, { seen[$0] ?? 0 })
        }
        // Too many colours: a 6 × 7 × 6 cube (green gets the extra level, as the eye is most
        // sensitive to it), nearest level per channel.
        var cube: [UInt32] = []
        for r in 0..<6 { for g in 0..<7 { for b in 0..<6 {
            cube.append(UInt32(r * 51) << 16 | UInt32(g * 255 / 6) << 8 | UInt32(b * 51))
        } } }
        return (cube, { c in
            let r = (Int(c >> 16 & 0xFF) * 5 + 127) / 255, g = (Int(c >> 8 & 0xFF) * 6 + 127) / 255, b = (Int(c & 0xFF) * 5 + 127) / 255
            return UInt8(r * 42 + g * 6 + b)
        })
    }
}

/// GIF's LZW: codes of 9…12 bits packed least-significant bit first, a clear code first and
/// whenever the 4096-entry table fills, an end code last.
struct LZW {
    // Table keyed by (prefix code, byte); a generation stamp empties it in O(1) on every clear,
    // and one encoder serves all frames of a GIF.
    private var stamp = [UInt32](repeating: 0, count: 4096 * 256)
    private var code = [UInt16](repeating: 0, count: 4096 * 256)
    private var generation: UInt32 = 0

    mutating func encode(_ input: [UInt8], minCodeSize: Int) -> [UInt8] {
        let clear = 1 << minCodeSize, end = clear + 1
        var codeSize = minCodeSize + 1
        var next = clear + 2
        generation += 1
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2)
        var bits: UInt32 = 0, count = 0
        func emit(_ c: Int) {
            bits |= UInt32(c) << UInt32(count)
            count += codeSize
            while count >= 8 { out.append(UInt8(bits & 0xFF)); bits >>= 8; count -= 8 }
        }
        emit(clear)
        guard var prefix = input.first.map(Int.init) else { emit(end); if count > 0 { out.append(UInt8(bits & 0xFF)) }; return out }
        for i in 1..<input.count {
            let byte = Int(input[i])
            let key = prefix << 8 | byte
            if stamp[key] == generation {
                prefix = Int(code[key])
                continue
            }
            emit(prefix)
            stamp[key] = generation
            code[key] = UInt16(next)
            // The decoder adds this entry one code later; it widens its codes when its table
            // reaches 2^codeSize, which is when ours passes it.
            if next == 1 << codeSize { codeSize += 1 }
            next += 1
            if next == 4096 {
                emit(clear)
                codeSize = minCodeSize + 1
                next = clear + 2
                generation += 1
            }
            prefix = byte
        }
        emit(prefix)
        if next == 1 << codeSize && codeSize < 12 { codeSize += 1 }
        emit(end)
        if count > 0 { out.append(UInt8(bits & 0xFF)) }
        return out
    }
}
