import CZlib
import Foundation

/// A reader of LeCun's IDX files (the MNIST and Fashion-MNIST format), plain or gzip-compressed
/// as Debian ships them: a big-endian magic number (0, 0, type code, dimension count), one
/// big-endian UInt32 per dimension, then the data. Only unsigned bytes (type 0x08) occur in these
/// datasets, so only they are read.
public struct IDXArray: Sendable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    public enum Error: Swift.Error, CustomStringConvertible {
        case unreadable(path: String, reason: String)
        case malformed(path: String, reason: String)
        public var description: String {
            switch self {
            case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
            case .malformed(let path, let reason): return "\(path) is not an IDX file of bytes: \(reason)"
            }
        }
    }

    /// Largest file accepted once decompressed (the Fashion-MNIST training images are 47 MB).
    public static let maximumSize = 256 << 20

    /// Reads `path` (gzip or plain: zlib's gz reader passes plain files through).
    public static func read(_ path: String) throws -> IDXArray {
        try parse(try decompressedContents(path), path: path)
    }

    /// Parses the contents of an IDX file.
    public static func parse(_ data: [UInt8], path: String) throws -> IDXArray {
        func refuse(_ reason: String) -> Error { .malformed(path: path, reason: reason) }
        guard data.count >= 4 else { throw refuse("\(data.count) bytes, shorter than the header") }
        guard data[0] == 0, data[1] == 0 else { throw refuse("magic number does not start with two zero bytes") }
        guard data[2] == 0x08 else { throw refuse(String(format: "element type 0x%02x (only unsigned bytes, 0x08, are read)", data[2])) }
        let rank = Int(data[3])
        guard (1...4).contains(rank), data.count >= 4 + 4 * rank else { throw refuse("\(rank) dimensions, or the header is cut short") }
        let dimensions = (0..<rank).map { d in data[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) } }
        let count = dimensions.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard data.count - (4 + 4 * rank) == count else {
            throw refuse("dimensions \(dimensions) need \(count) bytes of data, the file holds \(data.count - 4 - 4 * rank)")
        }
        return IDXArray(dimensions: dimensions, bytes: Array(data[(4 + 4 * rank)...]))
    }

    /// The whole file, gunzipped by zlib's gz reader.
    static func decompressedContents(_ path: String) throws -> [UInt8] {
        guard FileManager.default.isReadableFile(atPath: path) else { throw Error.unreadable(path: path, reason: "no such readable file") }
        guard let file = gzopen(path, "rb") else { throw Error.unreadable(path: path, reason: "zlib could not open it") }
        defer { gzclose(file) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            guard n >= 0 else { throw Error.unreadable(path: path, reason: "corrupt gzip data") }
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<Int(n)])
            guard result.count <= maximumSize else { throw Error.unreadable(path: path, reason: "larger than \(maximumSize) bytes") }
        }
        return result
    }
}
