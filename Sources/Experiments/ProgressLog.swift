import Foundation

/// `progress.csv`: one row per iteration (rllab/garage convention), the first column the
/// iteration, wall time in seconds as `wall_s`. One writer for every training loop; with an
/// event file, every numeric column is also a TensorBoard scalar `progress/<column>` against
/// iterations and, where an `env_steps` column counts each row's env steps, a scalar
/// `progress_by_env_steps/<column>` against the env steps so far.
public struct ProgressLog: Sendable {
    public let url: URL
    public let columns: [String]
    public let events: TensorBoardLog?

    public static let iterationPrefix = "progress/"
    public static let envStepsPrefix = "progress_by_env_steps/"

    public init(url: URL, columns: [String], events: TensorBoardLog? = nil) {
        self.url = url
        self.columns = columns
        self.events = events
    }

    /// A new file with just the header (and a new event file).
    public func start() throws {
        try (columns.joined(separator: ",") + "\n").write(to: url, atomically: true, encoding: .utf8)
        try events?.restart()
    }

    /// Appends rows (each `columns.count` fields; commas in a field become semicolons).
    public func append(_ rows: [[String]]) throws {
        guard !rows.isEmpty else { return }
        let text = rows.map { $0.map { $0.replacingOccurrences(of: ",", with: ";") }.joined(separator: ",") + "\n" }.joined()
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try events?.append(rows.flatMap(scalarEvents))
    }

    /// A row as TensorBoard events: against its iteration, and against the env steps so far.
    private func scalarEvents(_ row: [String]) -> [TensorBoardEvent] {
        guard let iteration = row.first.flatMap({ Int($0) }), let events else { return [] }
        let now = Date().timeIntervalSince1970
        let numeric = zip(columns, row).dropFirst().compactMap { column, field in Float(field).map { (column, $0) } }
        var result = [TensorBoardEvent(wallTime: now, step: iteration,
                                       scalars: numeric.map { .init(tag: Self.iterationPrefix + $0.0, value: $0.1) })]
        if let steps = numeric.first(where: { $0.0 == "env_steps" }) {
            let total = events.addEnvSteps(Int(steps.1))
            result.append(TensorBoardEvent(wallTime: now, step: total, scalars: numeric.filter { $0.0 != "env_steps" }
                .map { .init(tag: Self.envStepsPrefix + $0.0, value: $0.1) }))
        }
        return result
    }

    /// Drops rows past `iteration` (written after the checkpoint a resumed run starts from) and
    /// returns the wall time of the last row kept (0 if none); a missing file is started anew.
    @discardableResult
    public func truncate(after iteration: Int) throws -> Double {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { try start(); return 0 }
        var kept = text.split(separator: "\n").filter { line in
            guard let first = line.split(separator: ",").first, let i = Int(first) else { return true }
            return i <= iteration
        }
        // A run started by an earlier version may lack columns added since: its rows are
        // rewritten under today's header, column by column name, missing fields left empty.
        if let header = kept.first, header != columns.joined(separator: ",") {
            let old = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            kept = [Substring(columns.joined(separator: ","))] + kept.dropFirst().map { line in
                let fields = Dictionary(zip(old, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)),
                                        uniquingKeysWith: { a, _ in a })
                return Substring(columns.map { fields[$0] ?? "" }.joined(separator: ","))
            }
        }
        try (kept.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        if let events {
            let envColumn = columns.firstIndex(of: "env_steps")
            events.envSteps = envColumn.map { c in
                kept.dropFirst().reduce(0) { total, line in
                    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                    return total + (fields.count > c ? Int(fields[c]) ?? 0 : 0)
                }
            } ?? 0
            try events.truncate { event in
                event.step > iteration && event.tags.contains { !$0.hasPrefix(Self.envStepsPrefix) }
            }
        }
        guard let wallColumn = columns.firstIndex(of: "wall_s") else { return 0 }
        let fields = kept.last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        return fields.count > wallColumn ? Double(fields[wallColumn]) ?? 0 : 0
    }

    /// A number as a field: six significant digits.
    public static func field(_ x: Double) -> String { String(format: "%.6g", x) }
}
