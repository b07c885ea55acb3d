/// TFRecord framing, the container of TensorBoard event files: each record is its length (UInt64,
/// little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the
/// data (`tensorflow/core/lib/io/record_writer.cc`).
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        out += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { out += $0 }
        out += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { out += $0 }
        return out
    }

    /// The records of `bytes` in order, up to the first incomplete or corrupt one; `validLength`
    /// is where the intact ones end and `problem` says what stopped the read, if anything did.
    static func records(_ bytes: [UInt8]) -> (records: [ArraySlice<UInt8>], validLength: Int, problem: String?) {
        func uint<T: FixedWidthInteger>(_ type: T.Type, at i: Int) -> T {
            (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(bytes[i + $1]) << (8 * $1) }
        }
        var records: [ArraySlice<UInt8>] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 12 else { return (records, i, "a record header is cut off at byte \(i)") }
            let length = uint(UInt64.self, at: i)
            guard uint(UInt32.self, at: i + 8) == CRC32C.masked(bytes[i..<i + 8]) else {
                return (records, i, "the length CRC of the record at byte \(i) does not match")
            }
            guard length <= UInt64(bytes.count - i - 16) else { return (records, i, "the record at byte \(i) is cut off") }
            let data = bytes[i + 12..<i + 12 + Int(length)]
            guard uint(UInt32.self, at: data.endIndex) == CRC32C.masked(data) else {
                return (records, i, "the data CRC of the record at byte \(i) does not match")
            }
            records.append(data)
            i = data.endIndex + 4
        }
        return (records, i, nil)
    }
}
