import CZlib
import Foundation

/// A small PNG reader for image datasets: non-interlaced greyscale, RGB, palette, grey+alpha and
/// RGBA images of bit depth 1–8 (16-bit samples keep their high byte). Omniglot ships 1-bit
/// greyscale PNGs; anything else (JPEG MiniImagenet) should be converted to PNG first.
public enum PNGDecoder {
    public struct Image: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// Luminance in [0, 1], row-major (0 black, 1 white).
        public var luminance: [Float]
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { "PNG: \(reason)" }
    }

    public static func decode(contentsOf url: URL) throws -> Image {
        do { return try decode([UInt8](Data(contentsOf: url))) } catch let error as DecodeError {
            throw DecodeError(reason: "\(url.path): \(error.reason)")
        }
    }

    public static func decode(_ bytes: [UInt8]) throws -> Image {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard bytes.count > 8, Array(bytes[0..<8]) == signature else { throw DecodeError(reason: "not a PNG file") }
        var offset = 8
        var width = 0, height = 0, depth = 0, colorType = 0, interlace = 0
        var palette: [UInt8] = []
        var compressed: [UInt8] = []
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        while offset + 8 <= bytes.count {
            let length = u32(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let start = offset + 8
            guard start + length + 4 <= bytes.count else { throw DecodeError(reason: "truncated \(type) chunk") }
            let body = bytes[start..<(start + length)]
            switch type {
            case "IHDR":
                guard length >= 13 else { throw DecodeError(reason: "short IHDR") }
                width = u32(start); height = u32(start + 4)
                depth = Int(bytes[start + 8]); colorType = Int(bytes[start + 9]); interlace = Int(bytes[start + 12])
            case "PLTE": palette = Array(body)
            case "IDAT": compressed.append(contentsOf: body)
            case "IEND": offset = bytes.count
            default: break
            }
            offset = start + length + 4
        }
        guard width > 0, height > 0 else { throw DecodeError(reason: "missing IHDR") }
        guard interlace == 0 else { throw DecodeError(reason: "interlaced images are not supported") }
        let channels: Int
        switch colorType {
        case 0, 3: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: throw DecodeError(reason: "unknown colour type \(colorType)")
        }
        guard [1, 2, 4, 8, 16].contains(depth), depth >= 8 || channels == 1 else {
            throw DecodeError(reason: "bit depth \(depth) with colour type \(colorType) is not supported")
        }
        let bitsPerPixel = channels * depth
        let rowBytes = (width * bitsPerPixel + 7) / 8
        let bytesPerPixel = max(1, bitsPerPixel / 8)
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var rawLength = uLongf(raw.count)
        let status = raw.withUnsafeMutableBufferPointer { dst in
            compressed.withUnsafeBufferPointer { src in
                uncompress(dst.baseAddress, &rawLength, src.baseAddress, uLong(src.count))
            }
        }
        guard status == Z_OK, Int(rawLength) == raw.count else { throw DecodeError(reason: "corrupt image data (zlib status \(status))") }

        // Undo the per-row filters (PNG spec §9).
        var pixels = [UInt8](repeating: 0, count: height * rowBytes)
        for y in 0..<height {
            let filter = raw[y * (rowBytes + 1)]
            for x in 0..<rowBytes {
                let value = raw[y * (rowBytes + 1) + 1 + x]
                let a = x >= bytesPerPixel ? Int(pixels[y * rowBytes + x - bytesPerPixel]) : 0
                let b = y > 0 ? Int(pixels[(y - 1) * rowBytes + x]) : 0
                let c = (x >= bytesPerPixel && y > 0) ? Int(pixels[(y - 1) * rowBytes + x - bytesPerPixel]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw DecodeError(reason: "unknown row filter \(filter)")
                }
                pixels[y * rowBytes + x] = UInt8(truncatingIfNeeded: Int(value) + predictor)
            }
        }

        // Samples → luminance.
        func sample(_ y: Int, _ x: Int, _ channel: Int) -> Int {
            if depth < 8 {
                let bit = x * depth
                let byte = Int(pixels[y * rowBytes + bit / 8])
                return (byte >> (8 - depth - bit % 8)) & ((1 << depth) - 1)
            }
            let step = depth / 8
            return Int(pixels[y * rowBytes + (x * channels + channel) * step])
        }
        let maxValue = Float(depth < 8 ? (1 << depth) - 1 : 255)
        var luminance = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let v: Float
                switch colorType {
                case 0, 4: v = Float(sample(y, x, 0)) / maxValue
                case 3:
                    let i = sample(y, x, 0) * 3
                    guard i + 2 < palette.count else { throw DecodeError(reason: "palette index out of range") }
                    v = (0.299 * Float(palette[i]) + 0.587 * Float(palette[i + 1]) + 0.114 * Float(palette[i + 2])) / 255
                default:
                    v = (0.299 * Float(sample(y, x, 0)) + 0.587 * Float(sample(y, x, 1)) + 0.114 * Float(sample(y, x, 2))) / 255
                }
                luminance[y * width + x] = v
            }
        }
        return Image(width: width, height: height, luminance: luminance)
    }
}

extension PNGDecoder.Image {
    /// Resized to `size`×`size` by area averaging (each output pixel the mean of the input area
    /// it covers): the right filter for shrinking Omniglot's 105×105 glyphs to 28×28.
    public func resized(to size: Int) -> [Float] {
        var out = [Float](repeating: 0, count: size * size)
        let sx = Double(width) / Double(size), sy = Double(height) / Double(size)
        for oy in 0..<size {
            let y0 = Double(oy) * sy, y1 = y0 + sy
            for ox in 0..<size {
                let x0 = Double(ox) * sx, x1 = x0 + sx
                var total = 0.0, area = 0.0
                for y in Int(y0)..<min(height, Int(y1.rounded(.up))) {
                    let wy = min(Double(y + 1), y1) - max(Double(y), y0)
                    for x in Int(x0)..<min(width, Int(x1.rounded(.up))) {
                        let w = wy * (min(Double(x + 1), x1) - max(Double(x), x0))
                        total += w * Double(luminance[y * width + x])
                        area += w
                    }
                }
                out[oy * size + ox] = Float(total / max(area, 1e-12))
            }
        }
        return out
    }
}
