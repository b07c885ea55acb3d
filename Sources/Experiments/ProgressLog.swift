import Foundation

/// `progress.csv`: one row per iteration (rllab/garage convention), the first column the
/// iteration, wall time in seconds as `wall_s`. One writer for every training loop.
public struct ProgressLog: Sendable {
    public let url: URL
    public let columns: [String]

    public init(url: URL, columns: [String]) {
        self.url = url
        self.columns = columns
    }

    /// A new file with just the header.
    public func start() throws {
        try (columns.joined(separator: ",") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    /// Appends rows (each `columns.count` fields; commas in a field become semicolons).
    public func append(_ rows: [[String]]) throws {
        guard !rows.isEmpty else { return }
        let text = rows.map { $0.map { $0.replacingOccurrences(of: ",", with: ";") }.joined(separator: ",") + "\n" }.joined()
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Drops rows past `iteration` (written after the checkpoint a resumed run starts from) and
    /// returns the wall time of the last row kept (0 if none); a missing file is started anew.
    @discardableResult
    public func truncate(after iteration: Int) throws -> Double {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { try start(); return 0 }
        let kept = text.split(separator: "\n").filter { line in
            guard let first = line.split(separator: ",").first, let i = Int(first) else { return true }
            return i <= iteration
        }
        try (kept.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        guard let wallColumn = columns.firstIndex(of: "wall_s") else { return 0 }
        let fields = kept.last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        return fields.count > wallColumn ? Double(fields[wallColumn]) ?? 0 : 0
    }

    /// A number as a field: six significant digits.
    public static func field(_ x: Double) -> String { String(format: "%.6g", x) }
}
