/// A minimal GIF reader for tests: walks the blocks and LZW-decodes each image, independently
/// of the encoder's code (decoder rules from the GIF89a spec, appendix F).
enum GIFReader {
    struct Malformed: Error { let what: String }

    /// Palette indices of every frame.
    static func frames(_ b: [UInt8]) throws -> [[UInt8]] {
        guard b.count > 13, String(decoding: b.prefix(6), as: UTF8.self) == "GIF89a" else { throw Malformed(what: "header") }
        var i = 13
        if b[10] & 0x80 != 0 { i += 3 << (Int(b[10] & 7) + 1) }
        var frames: [[UInt8]] = []
        while i < b.count {
            switch b[i] {
            case 0x21:  // extension: label, then sub-blocks
                i += 2
                while b[i] != 0 { i += Int(b[i]) + 1 }
                i += 1
            case 0x2C:
                let packed = b[i + 9]
                i += 10
                if packed & 0x80 != 0 { i += 3 << (Int(packed & 7) + 1) }
                let minCode = Int(b[i]); i += 1
                var data: [UInt8] = []
                while b[i] != 0 { data += b[i + 1...i + Int(b[i])]; i += Int(b[i]) + 1 }
                i += 1
                frames.append(try lzwDecode(data, minCodeSize: minCode))
            case 0x3B: return frames
            default: throw Malformed(what: "block \(b[i]) at \(i)")
            }
        }
        throw Malformed(what: "no trailer")
    }

    static func lzwDecode(_ data: [UInt8], minCodeSize: Int) throws -> [UInt8] {
        let clear = 1 << minCodeSize, end = clear + 1
        var table: [[UInt8]] = []
        func resetTable() { table = (0..<clear).map { [UInt8($0)] } + [[], []] }
        resetTable()
        var codeSize = minCodeSize + 1
        var out: [UInt8] = []
        var previous: [UInt8]?
        var bitPos = 0
        while true {
            var code = 0
            for k in 0..<codeSize {
                let p = bitPos + k
                guard p / 8 < data.count else { throw Malformed(what: "ran out of data") }
                if data[p / 8] & (1 << (p % 8)) != 0 { code |= 1 << k }
            }
            bitPos += codeSize
            if code == clear { resetTable(); codeSize = minCodeSize + 1; previous = nil; continue }
            if code == end { return out }
            let entry: [UInt8]
            if code < table.count { entry = table[code] } else if let p = previous, code == table.count { entry = p + [p[0]] } else {
                throw Malformed(what: "code \(code) beyond table \(table.count)")
            }
            out += entry
            if let p = previous, table.count < 4096 {
                table.append(p + [entry[0]])
                if table.count == 1 << codeSize && codeSize < 12 { codeSize += 1 }
            }
            previous = entry
        }
    }
}
