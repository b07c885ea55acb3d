/// CRC-32C (Castagnoli), the checksum TFRecord framing uses, and its masked form
/// (`tensorflow/core/lib/hash/crc32c.h`): masking keeps a CRC of data that itself holds CRCs from
/// being trivially zero.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { byte in
        (0..<8).reduce(UInt32(byte)) { c, _ in c & 1 == 1 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        ~bytes.reduce(~UInt32(0)) { c, b in table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    }

    static func masked<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        let c = checksum(bytes)
        return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
    }
}
