import CZlib
import Foundation
import Testing
@testable import Envs
@testable import Render
@testable import Graphics

@Suite struct ASCIITests {
    func cheetahScene() throws -> Scene {
        let env = try makeEnv(name: "half-cheetah-vel", task: .goalVelocity(1.5))
        _ = env.reset(seed: 0)
        for _ in 0..<10 { _ = try env.step([Float](repeating: 0, count: 6)) }
        return env.scene()
    }

    @Test func sideViewHasTheRequestedSizeGroundTicksRobotAndStatus() throws {
        let text = ASCIIRenderer(columns: 72, rows: 20).render(try cheetahScene())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 20)
        #expect(lines.allSatisfy { $0.count == 72 })
        let ground = try #require(lines.firstIndex { $0.filter { $0 == "=" }.count > 40 })
        #expect(lines[ground].contains("+"), "metre ticks on the ground")
        #expect(lines[ground + 1].contains("0"), "metre numbers under the ground")
        let above = lines[..<ground].joined()
        #expect(above.contains { "-/|\\".contains($0) }, "robot segments above the ground")
        #expect(lines.last!.contains("goal 1.50 m/s") && lines.last!.contains("v "))
    }

    @Test func goalTasksShowTheirMarker() throws {
        let env = try makeEnv(name: "quadruped-goal", task: .goalX(1))
        _ = env.reset(seed: 0)
        let text = ASCIIRenderer(columns: 80, rows: 24).render(env.scene())
        #expect(text.contains("G"))
    }

    @Test func topDownViewShowsAgentGoalAndTrail() throws {
        let env = try makeEnv(name: "navigation-2d", task: .goalPosition(x: 0.4, y: -0.3))
        _ = env.reset(seed: 0)
        for _ in 0..<3 { _ = try env.step([0.1, 0.0]) }
        let text = ASCIIRenderer(columns: 60, rows: 24).render(env.scene())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 24 && lines.allSatisfy { $0.count == 60 })
        #expect(text.contains("@") && text.contains("G") && text.contains("."))
        let agent = try #require(lines.firstIndex { $0.contains("@") }), goal = try #require(lines.firstIndex { $0.contains("G") })
        #expect(goal > agent, "the goal lies below (south of) the agent")
    }

    /// Golden file: any change to the ASCII drawing shows up here. Regenerate with
    /// `UPDATE_GOLDEN=1 swift test ...` after checking the new picture by eye.
    @Test func sideViewMatchesTheGoldenFile() throws {
        let text = ASCIIRenderer(columns: 80, rows: 24).render(try cheetahScene())
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden-half-cheetah.txt").path
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            Issue.record("golden file rewritten: check it, then run again without UPDATE_GOLDEN")
            return
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == golden)
    }
}

@Suite struct ImageTests {
    @Test func sceneRasterHasTheSizeAndDrawsTheRobot() throws {
        let env = try makeEnv(name: "half-cheetah-dir")
        _ = env.reset(seed: 0)
        guard case let .image(canvas) = env.render(.rgbArray) else { Issue.record("not an image"); return }
        #expect(canvas.width == 480 && canvas.height == 270)
        let robotColor = RGB(hex: 0x8B4513)
        var robotPixels = 0
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas[x, y] == robotColor { robotPixels += 1 } }
        #expect(robotPixels > 300, "torso pixels: \(robotPixels)")
        #expect(canvas.count(notEqualTo: .sky) > 480 * 50, "ground and robot cover the lower part")
    }

    @Test func pngHasSignatureHeaderAndRoundTripsThroughZlib() throws {
        var canvas = Canvas(width: 37, height: 21, background: .white)
        canvas.fillCircle(cx: 18, cy: 10, radius: 6, RGB(200, 0, 0))
        let png = PNG.encode(canvas)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        #expect(bigEndian(png, 16) == 37 && bigEndian(png, 20) == 21)
        #expect(png[24] == 8 && png[25] == 2)
        // Inflate IDAT and count the non-background pixels.
        let idatLength = Int(bigEndian(png, 33))
        #expect(String(decoding: png[37..<41], as: UTF8.self) == "IDAT")
        let compressed = Array(png[41..<41 + idatLength])
        var size = uLong(21 * (37 * 3 + 1))
        var raw = [UInt8](repeating: 0, count: Int(size))
        #expect(uncompress(&raw, &size, compressed, uLong(compressed.count)) == Z_OK)
        var red = 0
        for y in 0..<21 { for x in 0..<37 where raw[y * (37 * 3 + 1) + 1 + 3 * x] == 200 { red += 1 } }
        #expect(red == canvas.count(notEqualTo: .white))
        #expect(red > 90 && red < 130, "a radius-6 disc has about 113 pixels, got \(red)")
        #expect(String(decoding: png.suffix(8).prefix(4), as: UTF8.self) == "IEND")
    }

    @Test func gifHasOneImagePerFrameAndDecodes() throws {
        let env = try makeEnv(name: "navigation-2d", task: .goalPosition(x: -0.4, y: 0.45))
        _ = env.reset(seed: 0)
        let raster = SceneRasterizer(width: 160, height: 90)
        var gif = GIFWriter(width: 160, height: 90)
        for _ in 0..<12 {
            _ = try env.step([0.05, 0.05])
            gif.add(raster.draw(env.scene()))
        }
        let bytes = gif.encode()
        #expect(String(decoding: bytes.prefix(6), as: UTF8.self) == "GIF89a")
        let frames = try GIFReader.frames(bytes)
        #expect(frames.count == 12)
        // The LZW round trip reproduces the last frame's palette indices exactly.
        let palette = GIFWriter.palette(gif.frames).1
        let last = gif.frames.last!
        let expected = (0..<160 * 90).map { p in
            palette(UInt32(last.pixels[3 * p]) << 16 | UInt32(last.pixels[3 * p + 1]) << 8 | UInt32(last.pixels[3 * p + 2]))
        }
        #expect(frames.last! == expected)
    }

    @Test func lzwRoundTripsLongVariedInput() throws {
        // Long enough to fill the 4096-entry table several times.
        var rng = SplitMix(seed: 3)
        let input = (0..<200_000).map { i in UInt8(i % 7 == 0 ? Int(rng.next() % 256) : (i / 50) % 5) }
        var lzw = LZW()
        #expect(try GIFReader.lzwDecode(lzw.encode(input, minCodeSize: 8), minCodeSize: 8) == input)
    }

    func bigEndian(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
