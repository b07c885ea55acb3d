import Foundation

/// Reading and writing the safetensors format (huggingface/safetensors): an 8-byte little-endian
/// header length, a JSON header mapping each name to its dtype, shape and byte offsets (plus an
/// optional `__metadata__` map of strings), then the raw little-endian data. Python's
/// `safetensors.numpy.load_file` reads what `write` produces. Adapt adds the CRC-32 of the data
/// section to the metadata (`data_crc32`) and refuses a file whose data does not match it; files
/// without one (written elsewhere, or before it was added) are read as they are.
public enum Safetensors {
    public struct Contents: Sendable {
        public var tensors: Parameters
        public var metadata: [String: String]
    }

    public enum Error: Swift.Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, reason: String)
        case corrupt(path: String, reason: String)
        case nonFinite(path: String, tensor: String)

        public var description: String {
            switch self {
            case let .unreadable(path, reason): "cannot read checkpoint \(path): \(reason)"
            case let .corrupt(path, reason): "refusing corrupt checkpoint \(path): \(reason)"
            case let .nonFinite(path, tensor): "not writing \(path): tensor \(tensor) holds NaN or infinity (training diverged; the last checkpoint is kept)"
            }
        }
    }

    /// Writes `tensors` (as F32) with `metadata`, atomically: to a temporary file in the same
    /// folder that is then renamed into place, so a crash never leaves a half-written checkpoint.
    /// Non-finite values are refused: nothing with NaN or infinity is ever written, so a run whose
    /// numbers blew up stops with an error and keeps its last good checkpoint.
    public static func write(_ tensors: Parameters, metadata: [String: String] = [:], to url: URL) throws {
        if let bad = zip(tensors.names, tensors.tensors).first(where: { !$0.1.scalars.allSatisfy(\.isFinite) }) {
            throw Error.nonFinite(path: url.path, tensor: bad.0)
        }
        try AtomicFile.write(try encode(tensors, metadata: metadata), to: url)
    }

    /// The metadata key of the data section's CRC-32 (8 hex digits).
    public static let checksumKey = "data_crc32"

    public static func encode(_ tensors: Parameters, metadata: [String: String] = [:]) throws -> Data {
        var body = Data(capacity: tensors.scalarCount * 4)
        for tensor in tensors.tensors {
            tensor.withUnsafeBufferPointer { p in
                for x in p { withUnsafeBytes(of: x.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            }
        }
        var metadata = metadata
        metadata[checksumKey] = body.withUnsafeBytes(CRC32.hex)
        var header: [String: Any] = ["__metadata__": metadata]
        var offset = 0
        for (name, tensor) in zip(tensors.names, tensors.tensors) {
            let bytes = tensor.count * MemoryLayout<Float>.size
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8 bytes, so the data is aligned.
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        data.append(body)
        return data
    }

    /// Reads a whole file, validating everything before returning: a truncated, corrupt or
    /// inconsistent file throws `Error.corrupt` and nothing is half-loaded.
    public static func read(_ url: URL) throws -> Contents {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw Error.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, path: url.path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> Contents {
        func corrupt(_ reason: String) -> Error { .corrupt(path: path, reason: reason) }
        guard data.count >= 8 else { throw corrupt("file is \(data.count) bytes, shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw corrupt("header length \(headerLength) exceeds the \(data.count - 8) bytes after it (truncated?)")
        }
        let headerData = data.subdata(in: 8 ..< 8 + Int(headerLength))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw corrupt("header is not a JSON object")
        }
        let body = data.subdata(in: 8 + Int(headerLength) ..< data.count)
        var metadata: [String: String] = [:]
        var entries: [(name: String, shape: [Int], range: Range<Int>)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: String] else { throw corrupt("__metadata__ is not a map of strings") }
                metadata = map
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw corrupt("entry '\(name)' lacks dtype, shape or data_offsets") }
            guard dtype == "F32" else { throw corrupt("entry '\(name)' has dtype \(dtype); only F32 is supported") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= body.count else {
                throw corrupt("entry '\(name)' has data offsets \(offsets) outside the \(body.count)-byte data section (truncated?)")
            }
            // The element count, without overflowing: a shape must describe the bytes it owns.
            var elements = 1
            for d in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: d)
                guard d >= 0, shape.count <= 8, !overflow, product <= body.count / 4 else {
                    throw corrupt("entry '\(name)' has shape \(shape), impossible for \(offsets[1] - offsets[0]) bytes")
                }
                elements = product
            }
            guard offsets[1] - offsets[0] == elements * 4 else {
                throw corrupt("entry '\(name)' has shape \(shape) but \(offsets[1] - offsets[0]) bytes")
            }
            entries.append((name, shape, offsets[0] ..< offsets[1]))
        }
        // The data section must be covered exactly, without overlaps or gaps.
        entries.sort { $0.range.lowerBound < $1.range.lowerBound }
        var expected = 0
        for e in entries {
            guard e.range.lowerBound == expected else { throw corrupt("entry '\(e.name)' overlaps or leaves a gap in the data") }
            expected = e.range.upperBound
        }
        guard expected == body.count else { throw corrupt("\(body.count - expected) bytes of data belong to no entry") }
        if let recorded = metadata.removeValue(forKey: checksumKey) {
            let actual = body.withUnsafeBytes(CRC32.hex)
            guard recorded == actual else { throw corrupt("the data's CRC-32 is \(actual), the file records \(recorded): damaged") }
        }

        let tensors = entries.map { e in
            let scalars = body.subdata(in: e.range).withUnsafeBytes { raw in
                (0 ..< e.range.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            return Tensor(shape: e.shape, scalars: scalars)
        }
        return Contents(tensors: Parameters(names: entries.map(\.name), tensors: tensors), metadata: metadata)
    }
}
