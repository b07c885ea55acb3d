import Foundation
import NN

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 greyscale images of 10 kinds of clothing,
/// 60 000 for training and 10 000 for testing, as Debian's `dataset-fashion-mnist` installs them.
/// Images stay bytes (47 MB rather than 188 MB of floats); a mini-batch becomes floats in [0, 1].
public struct FashionMNIST: Sendable {
    public static let defaultFolder = "/usr/share/datasets/fashion-mnist"
    public static let classCount = 10
    public static let pixels = 28 * 28

    public enum Split: String, Sendable { case train, test
        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// Pixels, image after image, row-major.
    public let images: [UInt8]
    public let labels: [UInt8]
    public var count: Int { labels.count }

    /// Reads `<folder>/<train|t10k>-{images-idx3,labels-idx1}-ubyte.gz` and checks they agree.
    public init(folder: String = defaultFolder, split: Split) throws {
        let base = URL(fileURLWithPath: folder)
        let imagePath = base.appendingPathComponent("\(split.prefix)-images-idx3-ubyte.gz").path
        let labelPath = base.appendingPathComponent("\(split.prefix)-labels-idx1-ubyte.gz").path
        let images = try IDXArray.read(imagePath), labels = try IDXArray.read(labelPath)
        guard images.dimensions.count == 3, images.dimensions[1] == 28, images.dimensions[2] == 28 else {
            throw IDXArray.Error.malformed(path: imagePath, reason: "dimensions \(images.dimensions), expected [n, 28, 28]")
        }
        guard labels.dimensions == [images.dimensions[0]] else {
            throw IDXArray.Error.malformed(path: labelPath, reason: "dimensions \(labels.dimensions), expected [\(images.dimensions[0])] like the images")
        }
        if let bad = labels.bytes.first(where: { $0 >= 10 }) {
            throw IDXArray.Error.malformed(path: labelPath, reason: "label \(bad) outside 0…9")
        }
        self.images = images.bytes
        self.labels = labels.bytes
    }

    /// Images `rows` as a batch [rows.count, 784] in [0, 1] and their one-hot labels [rows.count, 10].
    public func batch(_ rows: [Int]) -> (images: Tensor, oneHot: Tensor) {
        var x = [Float](repeating: 0, count: rows.count * Self.pixels)
        var y = [Float](repeating: 0, count: rows.count * Self.classCount)
        for (r, row) in rows.enumerated() {
            for j in 0..<Self.pixels { x[r * Self.pixels + j] = Float(images[row * Self.pixels + j]) / 255 }
            y[r * Self.classCount + Int(labels[row])] = 1
        }
        return (Tensor(shape: [rows.count, Self.pixels], scalars: x), Tensor(shape: [rows.count, Self.classCount], scalars: y))
    }
}
