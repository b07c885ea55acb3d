import Foundation

/// A run's TensorBoard event file, `events.out.tfevents.<time>.<host>` in the run folder, so that
/// `tensorboard --logdir runs` shows its curves and images while it trains. Written by Adapt
/// itself (TFRecord framing around hand-encoded `Event` protocol buffers); a resumed run appends
/// to the same file after cutting what came after its checkpoint.
public final class TensorBoardLog: @unchecked Sendable {
    public let url: URL
    private let lock = NSLock()
    private var envStepsSoFar = 0

    /// Env steps counted so far by `addEnvSteps` (the x axis of the by-env-steps curves).
    public var envSteps: Int {
        get { lock.withLock { envStepsSoFar } }
        set { lock.withLock { envStepsSoFar = newValue } }
    }

    /// Counts `steps` more env steps and returns the total.
    func addEnvSteps(_ steps: Int) -> Int {
        lock.withLock {
            envStepsSoFar += steps
            return envStepsSoFar
        }
    }

    /// The folder's event file, or a new one starting with the version record TensorBoard expects.
    public init(folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let existing = try Self.eventFiles(in: folder).first {
            url = existing
        } else {
            let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
            url = folder.appendingPathComponent("events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host)")
            try Self.versionRecord().write(to: url)
        }
    }

    /// The event files of a folder, oldest name first.
    public static func eventFiles(in folder: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { folder.appendingPathComponent($0) }
    }

    private static func versionRecord() -> Data {
        Data(TFRecord.frame(TensorBoardEvent(wallTime: Date().timeIntervalSince1970, step: 0, fileVersion: "brain.Event:2").encoded()))
    }

    /// Starts the file afresh (a new run in a folder that held an unfinished one).
    public func restart() throws {
        try lock.withLock {
            envStepsSoFar = 0
            try Self.versionRecord().write(to: url)
        }
    }

    /// Appends events; non-finite scalars are left out (nothing non-finite is written).
    public func append(_ events: [TensorBoardEvent]) throws {
        let bytes = events.flatMap { event -> [UInt8] in
            var event = event
            event.scalars.removeAll { !$0.value.isFinite }
            return event.scalars.isEmpty && event.images.isEmpty && event.fileVersion == nil ? [] : TFRecord.frame(event.encoded())
        }
        guard !bytes.isEmpty else { return }
        try lock.withLock {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(bytes))
        }
    }

    /// Cuts the file before the first event `isAfter` accepts, and before any damaged tail (a
    /// record a killed process left half-written).
    public func truncate(before isAfter: (TensorBoardEvent) -> Bool) throws {
        try lock.withLock {
            let bytes = [UInt8](try Data(contentsOf: url))
            let (records, validLength, _) = TFRecord.records(bytes)
            var end = 0
            for record in records {
                guard let event = try? TensorBoardEvent(decoding: record), !isAfter(event) else { break }
                end = record.endIndex + 4
            }
            if end == 0 { return try Self.versionRecord().write(to: url) }
            if end < validLength || validLength < bytes.count {
                let handle = try FileHandle(forWritingTo: url)
                defer { try? handle.close() }
                try handle.truncate(atOffset: UInt64(end))
            }
        }
    }

    /// Every event of an event file, checking each record's framing and CRCs.
    public static func read(_ url: URL) throws -> [TensorBoardEvent] {
        let (records, _, problem) = TFRecord.records([UInt8](try Data(contentsOf: url)))
        if let problem { throw EventFileError(path: url.path, problem: problem) }
        return try records.map { record in
            do { return try TensorBoardEvent(decoding: record) } catch {
                throw EventFileError(path: url.path, problem: "a record is not an Event protocol buffer")
            }
        }
    }
}

/// An event file that does not read back.
public struct EventFileError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}
