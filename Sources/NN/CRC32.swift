/// CRC-32 (IEEE 802.3, zlib's `crc32`): the checksum a checkpoint records of its data section,
/// so that flipped bytes are refused instead of loaded.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let value = String(checksum(bytes), radix: 16)
        return String(repeating: "0", count: 8 - value.count) + value
    }
}
