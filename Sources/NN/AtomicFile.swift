import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Durable, atomic file replacement: the bytes go to a temporary file in the same folder, which
/// is flushed to disk (fsync) and renamed over the target, and the folder is flushed too, so
/// that after a crash or power loss the target is either the old file or the new one, whole.
/// A write killed midway leaves only its temporary file, which `removeStaleTemporaries` clears.
public enum AtomicFile {
    public struct Error: Swift.Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// The prefix of `url`'s temporary files.
    static func temporaryPrefix(_ url: URL) -> String { "." + url.lastPathComponent + ".tmp-" }

    public static func write(_ data: Data, to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(temporaryPrefix(url) + "\(getpid())-\(UInt32.random(in: 0 ... .max))")
        func failure(_ what: String) -> Error { Error(path: url.path, reason: "\(what): \(String(cString: strerror(errno)))") }
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure("cannot create a file in \(folder.path)") }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = ok ? nil : failure("writing failed")
        close(fd)
        if let error { unlink(temporary.path); throw error }
        guard rename(temporary.path, url.path) == 0 else {
            let error = failure("cannot rename into place")
            unlink(temporary.path)
            throw error
        }
        let directory = open(folder.path, O_RDONLY)
        if directory >= 0 { fsync(directory); close(directory) }
    }

    /// Deletes temporary files that writes of `url` killed midway left behind.
    public static func removeStaleTemporaries(for url: URL) {
        let folder = url.deletingLastPathComponent()
        let prefix = temporaryPrefix(url)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}
