import Foundation
import Testing
import MetaLearning
import Graphics
import TestSupport

/// The Omniglot pipeline on a dataset the tests draw themselves: PNG decoding, the folder
/// loader, the episode sampler's counts and label shuffling, and a short MAML run on conv4.
@Suite struct FewShotClassificationTests {
    // MARK: - A synthetic Omniglot: glyphs of random strokes, written as PNG files

    /// Writes `alphabets` × `characters` classes of `examples` glyphs each, as `alphabet/character/*.png`.
    static func makeDataset(alphabets: Int = 2, characters: Int = 6, examples: Int = 6, side: Int = 40) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-glyphs-\(UUID().uuidString)")
        var rng = Xoshiro256(seed: 99)
        for a in 0..<alphabets {
            for c in 0..<characters {
                let folder = root.appendingPathComponent("alphabet\(a)/character\(c)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let strokes = (0..<3).map { _ in (0..<4).map { _ in Double(rng.uniform(0.15, 0.85)) * Double(side) } }
                for e in 0..<examples {
                    let dx = rng.uniform(-2, 2), dy = rng.uniform(-2, 2)
                    var gray = [UInt8](repeating: 255, count: side * side)
                    for s in strokes {
                        for t in stride(from: 0.0, through: 1.0, by: 0.01) {
                            let x = Int(s[0] + t * (s[2] - s[0]) + dx), y = Int(s[1] + t * (s[3] - s[1]) + dy)
                            for oy in -1...1 { for ox in -1...1 where (0..<side).contains(x + ox) && (0..<side).contains(y + oy) {
                                gray[(y + oy) * side + x + ox] = 0
                            } }
                        }
                    }
                    // Alternate 8-bit and 1-bit greyscale files (Omniglot's own PNGs are 1-bit).
                    let png = e % 2 == 0 ? encodePNG(gray, side: side, depth: 8) : encodePNG(gray, side: side, depth: 1)
                    try Data(png).write(to: folder.appendingPathComponent("\(e).png"))
                }
            }
        }
        return root
    }

    /// A greyscale PNG with stored (uncompressed) deflate blocks and Paeth/Up/None filters mixed in.
    static func encodePNG(_ gray: [UInt8], side: Int, depth: Int) -> [UInt8] {
        var raw: [UInt8] = []
        var previous = [UInt8](repeating: 0, count: depth == 8 ? side : (side + 7) / 8)
        for y in 0..<side {
            var row: [UInt8]
            if depth == 8 { row = Array(gray[(y * side)..<((y + 1) * side)]) } else {
                row = [UInt8](repeating: 0, count: (side + 7) / 8)
                for x in 0..<side where gray[y * side + x] > 127 { row[x / 8] |= 0x80 >> (x % 8) }
            }
            let filter: UInt8 = depth == 8 ? UInt8(y % 3 == 0 ? 0 : (y % 3 == 1 ? 2 : 1)) : 0
            raw.append(filter)
            for (i, v) in row.enumerated() {
                switch filter {
                case 2: raw.append(v &- previous[i])
                case 1: raw.append(v &- (i > 0 ? row[i - 1] : 0))
                default: raw.append(v)
                }
            }
            previous = row
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let n = min(65535, raw.count - start), last: UInt8 = start + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8((~n >> 8) & 255)] + raw[start..<(start + n)]
            start += n
        } while start < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for v in raw { a = (a + UInt32(v)) % 65521; b = (b + a) % 65521 }
        zlib += be32((b << 16) | a)
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in typed {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return be32(UInt32(body.count)) + typed + be32(~crc)
        }
        let header = be32(UInt32(side)) + be32(UInt32(side)) + [UInt8(depth), 0, 0, 0, 0]
        return [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }

    // MARK: - Tests

    @Test func pngDecoderReadsEightAndOneBitGreyscale() throws {
        let gray: [UInt8] = (0..<64).map { UInt8(($0 * 37) % 256) }
        let eight = try PNGDecoder.decode(Self.encodePNG(gray, side: 8, depth: 8))
        #expect(eight.width == 8 && eight.height == 8)
        #expect(eight.luminance == gray.map { Float($0) / 255 })
        let one = try PNGDecoder.decode(Self.encodePNG(gray, side: 8, depth: 1))
        #expect(one.luminance == gray.map { $0 > 127 ? 1 : 0 })
        #expect(throws: PNGDecoder.DecodeError.self) { try PNGDecoder.decode([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        // Area-averaging resize keeps the mean.
        let resized = eight.resized(to: 4)
        let resizedMean: Float = resized.reduce(0, +) / 16
        let originalMean: Float = eight.luminance.reduce(0, +) / 64
        #expect(abs(resizedMean - originalMean) < 1e-5)
    }

    @Test func loaderAndEpisodeSampler() throws {
        let root = try Self.makeDataset()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try ImageFolder.load(root, size: 28)
        #expect(folder.classNames.count == 12 && folder.classNames[0] == "alphabet0/character0")
        // A linked dataset folder reads as its target.
        let link = root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + "-link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: root)
        defer { try? FileManager.default.removeItem(at: link) }
        #expect(try ImageFolder.load(link, size: 28).classNames == folder.classNames)
        #expect(folder.images.allSatisfy { $0.count == 6 && $0.allSatisfy { $0.count == 28 * 28 } })
        // Ink is 1, paper 0: glyphs are mostly paper.
        let mean: Float = folder.images[0][0].reduce(0, +) / Float(28 * 28)
        #expect(mean > 0.02 && mean < 0.5)

        let split = EpisodeSampler.split(classCount: 12, trainCount: 8, seed: 1)
        #expect(Set(split.train).isDisjoint(with: split.test) && split.train.count + split.test.count == 12)
        let sampler = EpisodeSampler(folder: folder, classes: split.train, rotations: true)
        #expect(sampler.classCount == 32)
        var rng = Xoshiro256(seed: 4)
        var firstLabelOfSupport: Set<Int> = []
        for _ in 0..<20 {
            let task = sampler.sample(ways: 5, shots: 2, queryShots: 3, using: &rng)
            #expect(task.supportInputs.shape == [10, 28, 28, 1] && task.supportTargets.shape == [10, 5])
            #expect(task.queryInputs.shape == [15, 28, 28, 1] && task.queryTargets.shape == [15, 5])
            // K support and Q query examples of every one of the N labels, one-hot.
            let supportCounts = (0..<5).map { l in (0..<10).filter { task.supportTargets.scalars[$0 * 5 + l] == 1 }.count }
            let queryCounts = (0..<5).map { l in (0..<15).filter { task.queryTargets.scalars[$0 * 5 + l] == 1 }.count }
            #expect(supportCounts == [2, 2, 2, 2, 2] && queryCounts == [3, 3, 3, 3, 3])
            #expect(task.supportTargets.sum().scalar == 10)
            firstLabelOfSupport.insert((0..<5).first { task.supportTargets.scalars[$0] == 1 }!)
        }
        // Examples are shuffled: the first support example's label varies across episodes.
        #expect(firstLabelOfSupport.count >= 3)

        // Rotations: four quarter turns are the identity, one is not.
        let image = folder.images[0][0]
        #expect(EpisodeSampler.rotated(image, size: 28, quarterTurns: 4) == image)
        #expect(EpisodeSampler.rotated(EpisodeSampler.rotated(image, size: 28, quarterTurns: 1), size: 28, quarterTurns: 3) == image)
        #expect(EpisodeSampler.rotated(image, size: 28, quarterTurns: 1) != image)
    }

    /// A small conv4 on 14 × 14 images, 5-way 1-shot with 3 queries, and the train and test
    /// samplers of a 16-class stroke dataset: a few learner steps run in about a second.
    static func smallExperiment() throws -> (config: OmniglotConfig, train: EpisodeSampler, test: EpisodeSampler) {
        let root = try makeDataset(alphabets: 2, characters: 8, examples: 6, side: 28)
        defer { try? FileManager.default.removeItem(at: root) }
        var config = OmniglotConfig.defaults
        config.imageSize = 14
        config.filters = 8
        config.blocks = 3
        config.trainClasses = 12
        config.shots = 1
        config.queryShots = 3
        config.learner.metaBatchSize = 4
        config.learner.metaStepSize = 0.003
        config.evaluation.queryShots = 3
        let (train, test) = try OmniglotExperiment.samplers(config, folder: try ImageFolder.load(root, size: 14))
        return (config, train, test)
    }

    @Test func fewMAMLIterationsBeatChance() throws {
        let (config, train, test) = try Self.smallExperiment()
        var learner = OmniglotExperiment.learner(config, algorithm: .maml)
        var rng = Xoshiro256(seed: 5)
        var before: Float = 0
        var after: Float = 0
        for i in 0..<40 {
            let tasks = (0..<4).map { _ in train.sample(ways: 5, shots: 1, queryShots: 3, using: &rng) }
            let log = learner.step(on: tasks)
            if i < 5 { before += log.postAdaptationLoss / 5 }
            if i >= 35 { after += log.postAdaptationLoss / 5 }
        }
        #expect(after < before, "meta-training loss \(before) → \(after)")
        let curve = OmniglotExperiment.evaluate(config, parameters: learner.parameters, sampler: test, episodes: 40, steps: 1)
        #expect(curve.mean[1] > 0.4, "query accuracy after one step \(curve.mean[1]) (chance 0.2)")
    }
}
