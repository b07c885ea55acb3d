import Foundation
import Testing
@testable import Experiments

/// The event file read back byte by byte: TFRecord framing and masked CRC-32C, the Event and
/// Summary encodings, the resume rule, and what a damaged file does.
@Suite final class TensorBoardTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-tb-\(UUID().uuidString)")
    deinit { try? FileManager.default.removeItem(at: folder) }

    func log() throws -> ProgressLog {
        ProgressLog(url: folder.appendingPathComponent("progress.csv"), columns: ["iteration", "loss", "env_steps", "note"],
                    events: try TensorBoardLog(folder: folder))
    }

    func row(_ i: Int) -> [String] { [String(i), String(Float(i) / 8), "100", i == 2 ? "rejected" : ""] }

    @Test func crc32cMatchesItsReferenceValues() {
        // The check value of CRC-32C and RFC 3720's 32 zero bytes.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        // A record's framing by hand: length, masked CRC of the length, data, masked CRC of the data.
        let framed = TFRecord.frame([1, 2, 3])
        #expect(framed.count == 19 && Array(framed[0..<8]) == [3, 0, 0, 0, 0, 0, 0, 0] && Array(framed[12..<15]) == [1, 2, 3])
        let lengthCRC = framed[8..<12].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        let c = CRC32C.checksum(framed[0..<8])
        #expect(lengthCRC == ((c >> 15) | (c << 17)) &+ 0xA282_EAD8)
    }

    @Test func everyNumericColumnIsAScalarAgainstIterationsAndEnvSteps() throws {
        let progress = try log()
        try progress.start()
        try progress.append((1...3).map(row))
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 9, 9]
        try progress.events?.append([TensorBoardEvent(wallTime: 1, step: 3, images: [.init(tag: "rollout/x", width: 4, height: 2, png: png)])])
        let events = try TensorBoardLog.read(try #require(progress.events).url)
        #expect(events.first?.fileVersion == "brain.Event:2")
        let byIteration = events.filter { $0.tags.contains("progress/loss") }
        #expect(byIteration.map(\.step) == [1, 2, 3] && byIteration.map { $0.scalars.map(\.tag) }.allSatisfy { $0 == ["progress/loss", "progress/env_steps"] })
        #expect(byIteration.map { $0.scalars[0].value } == [0.125, 0.25, 0.375])
        let byEnvSteps = events.filter { $0.tags.contains("progress_by_env_steps/loss") }
        #expect(byEnvSteps.map(\.step) == [100, 200, 300] && byEnvSteps.allSatisfy { $0.scalars.count == 1 })
        #expect(events.last?.images == [.init(tag: "rollout/x", width: 4, height: 2, png: png)] && events.last?.step == 3)
    }

    @Test func aResumeCutsWhatCameAfterTheCheckpointAndAppendsWithoutDuplicates() throws {
        let progress = try log()
        try progress.start()
        try progress.append((1...5).map(row))
        // Killed mid-write: half a record at the end.
        let url = try #require(progress.events).url
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(TFRecord.frame(Array(repeating: 7, count: 40)).prefix(30)))
        try handle.close()
        #expect(throws: EventFileError.self) { try TensorBoardLog.read(url) }

        // Resume from the checkpoint at iteration 3, in a new process (a new log on the same folder).
        let resumed = try log()
        #expect(try resumed.truncate(after: 3) == 0)
        #expect(resumed.events?.url == url && resumed.events?.envSteps == 300)
        try resumed.append((4...6).map(row))
        let events = try TensorBoardLog.read(url)
        #expect(events.filter { $0.tags.contains("progress/loss") }.map(\.step) == [1, 2, 3, 4, 5, 6])
        #expect(events.filter { $0.tags.contains("progress_by_env_steps/loss") }.map(\.step) == [100, 200, 300, 400, 500, 600])
        #expect(try TensorBoardLog.eventFiles(in: folder).count == 1)
    }

    @Test func aDamagedRecordIsReportedAndNothingNonFiniteIsWritten() throws {
        let progress = try log()
        try progress.start()
        try progress.append([["1", "nan", "100", ""], ["2", "inf", "100", ""]])
        let url = try #require(progress.events).url
        let events = try TensorBoardLog.read(url)
        #expect(events.flatMap(\.scalars).allSatisfy { $0.value.isFinite } && events.flatMap(\.scalars).map(\.tag).contains("progress/env_steps"))
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count - 6] ^= 0x10
        try bytes.write(to: url)
        #expect(throws: EventFileError.self) { try TensorBoardLog.read(url) }
    }
}
