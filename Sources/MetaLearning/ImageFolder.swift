import Foundation
import Graphics

/// A few-shot image dataset on disk in the Omniglot layout: every folder that directly holds
/// PNG files is one class (`alphabet/character/*.png` for Omniglot, `class/*.png` for a
/// MiniImagenet copy converted to PNG). Images are loaded once, as greyscale, resized to
/// `size`×`size` and inverted so ink is 1 and paper 0.
public struct ImageFolder: Sendable {
    /// Class names (paths relative to the root), sorted.
    public let classNames: [String]
    /// images[class][example]: `size`·`size` values in [0, 1].
    public let images: [[[Float]]]
    public let size: Int

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(classNames: [String], images: [[[Float]]], size: Int) {
        self.classNames = classNames
        self.images = images
        self.size = size
    }

    public static func load(_ given: URL, size: Int) throws -> ImageFolder {
        // A linked dataset folder (data/omniglot → /mnt/datasets/omniglot) is listed as its target.
        let root = given.resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(description: "dataset folder \(root.path) does not exist")
        }
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw LoadError(description: "cannot list \(root.path)")
        }
        var files: [String: [URL]] = [:]
        let rootPath = root.standardizedFileURL.path
        for case let url as URL in walker where url.pathExtension.lowercased() == "png" {
            let folder = url.deletingLastPathComponent().standardizedFileURL.path
            let name = folder.count > rootPath.count ? String(folder.dropFirst(rootPath.count + 1)) : "."
            files[name, default: []].append(url)
        }
        guard !files.isEmpty else {
            throw LoadError(description: "no PNG images under \(root.path) (expected alphabet/character/*.png or class/*.png)")
        }
        let names = files.keys.sorted()
        let images = try names.map { name in
            try files[name]!.sorted { $0.path < $1.path }.map { url in
                try PNGDecoder.decode(contentsOf: url).resized(to: size).map { 1 - $0 }
            }
        }
        return ImageFolder(classNames: names, images: images, size: size)
    }
}

extension ImageFolder {
    /// Indices of the classes under each top-level folder (`train`, `test`): a dataset that
    /// carries its own split, by alphabet.
    public func classes(under first: String, _ second: String) throws -> ([Int], [Int]) {
        let groups = [first, second].map { top in classNames.indices.filter { classNames[$0].hasPrefix(top + "/") } }
        for (top, group) in zip([first, second], groups) where group.isEmpty {
            throw LoadError(description: "split: folders needs classes under \(top)/ (alphabet/character/*.png); this dataset has none")
        }
        return (groups[0], groups[1])
    }
}

/// N-way K-shot episodes (Finn et al. 2017, §5.2; Vinyals et al. 2016): draw N classes, give
/// them labels 0…N−1 in a random order, draw K support and Q query images of each, and shuffle
/// each set. With `rotations`, every class also appears rotated by 90°, 180° and 270° as three
/// further classes (Santoro et al. 2016), so a dataset of C classes offers 4C.
public struct EpisodeSampler: Sendable {
    public let folder: ImageFolder
    /// The classes of `folder` this sampler draws from (a train or test split).
    public let classes: [Int]
    public let rotations: Bool

    public init(folder: ImageFolder, classes: [Int], rotations: Bool) {
        self.folder = folder
        self.classes = classes
        self.rotations = rotations
    }

    /// Classes on offer, counting rotations.
    public var classCount: Int { classes.count * (rotations ? 4 : 1) }

    /// The folder's classes split in two at random (by seed): the first `trainCount` for meta-training.
    public static func split(classCount: Int, trainCount: Int, seed: UInt64) -> (train: [Int], test: [Int]) {
        var order = Array(0..<classCount)
        var rng = Xoshiro256(seed: seed)
        rng.shuffle(&order)
        return (Array(order[..<trainCount]).sorted(), Array(order[trainCount...]).sorted())
    }

    /// One episode: inputs [N·K, S, S, 1] and one-hot targets [N·K, N] for the support set,
    /// [N·Q, S, S, 1] and [N·Q, N] for the query set.
    public func sample<G: RandomNumberGenerator>(ways: Int, shots: Int, queryShots: Int, using rng: inout G) -> FewShotTask {
        require(ways <= classCount, "EpisodeSampler: \(ways)-way episodes need \(ways) classes, the split has \(classCount)")
        var pool = Array(0..<classCount)
        rng.shuffle(&pool)
        let chosen = Array(pool[..<ways])           // already in random order: label i ↦ chosen[i]
        var support: [(image: [Float], label: Int)] = []
        var query: [(image: [Float], label: Int)] = []
        for (label, cls) in chosen.enumerated() {
            let base = classes[cls % classes.count], rotation = cls / classes.count
            let examples = folder.images[base]
            require(examples.count >= shots + queryShots,
                    "EpisodeSampler: class \(folder.classNames[base]) has \(examples.count) images, an episode needs \(shots + queryShots)")
            var order = Array(examples.indices)
            rng.shuffle(&order)
            for (i, e) in order.prefix(shots + queryShots).enumerated() {
                let image = Self.rotated(examples[e], size: folder.size, quarterTurns: rotation)
                if i < shots { support.append((image, label)) } else { query.append((image, label)) }
            }
        }
        rng.shuffle(&support)
        rng.shuffle(&query)
        func tensors(_ set: [(image: [Float], label: Int)]) -> (Tensor, Tensor) {
            let s = folder.size
            let inputs = Tensor(shape: [set.count, s, s, 1], scalars: set.flatMap(\.image))
            var targets = [Float](repeating: 0, count: set.count * ways)
            for (i, example) in set.enumerated() { targets[i * ways + example.label] = 1 }
            return (inputs, Tensor(shape: [set.count, ways], scalars: targets))
        }
        let (si, st) = tensors(support), (qi, qt) = tensors(query)
        return FewShotTask(supportInputs: si, supportTargets: st, queryInputs: qi, queryTargets: qt)
    }

    /// A square image turned counter-clockwise by `quarterTurns` × 90°.
    public static func rotated(_ image: [Float], size: Int, quarterTurns: Int) -> [Float] {
        var current = image
        for _ in 0..<(quarterTurns % 4) {
            var next = current
            for y in 0..<size { for x in 0..<size { next[(size - 1 - x) * size + y] = current[y * size + x] } }
            current = next
        }
        return current
    }
}
