/// The few protocol-buffer encodings TensorBoard's `Event` needs, written and read by hand
/// (varints, 64- and 32-bit fixed fields, length-delimited fields), so that no protobuf runtime
/// is needed. Field numbers are `tensorflow/core/util/event.proto` and `summary.proto`'s.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, wireType: 0)
        append(varint: value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, wireType: 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, wireType: 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func bytes<C: Collection>(_ field: Int, _ value: C) where C.Element == UInt8 {
        key(field, wireType: 2)
        append(varint: UInt64(value.count))
        bytes += value
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ value: ProtobufWriter) { bytes(field, value.bytes) }

    private mutating func key(_ field: Int, wireType: UInt64) { append(varint: UInt64(field) << 3 | wireType) }

    private mutating func append(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}

/// Reads the fields of one message: (field number, value) in file order; unknown wire types end
/// the read with an error rather than a guess.
struct ProtobufReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    struct Malformed: Error {}

    static func fields(_ data: ArraySlice<UInt8>) throws -> [(field: Int, value: Value)] {
        var i = data.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < data.endIndex, shift < 64 else { throw Malformed() }
                let b = data[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func fixed(_ n: Int) throws -> UInt64 {
            guard data.endIndex - i >= n else { throw Malformed() }
            defer { i += n }
            return (0..<n).reduce(UInt64(0)) { $0 | UInt64(data[i + $1]) << (8 * UInt64($1)) }
        }
        var result: [(Int, Value)] = []
        while i < data.endIndex {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: result.append((field, .varint(try varint())))
            case 1: result.append((field, .fixed64(try fixed(8))))
            case 5: result.append((field, .fixed32(UInt32(try fixed(4)))))
            case 2:
                let length = try varint()
                guard length <= UInt64(data.endIndex - i) else { throw Malformed() }
                result.append((field, .bytes(data[i..<i + Int(length)])))
                i += Int(length)
            default: throw Malformed()
            }
        }
        return result
    }
}
