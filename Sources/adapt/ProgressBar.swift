import Foundation

/// The training progress bar of every `adapt train`: iteration, a bar, a caller-supplied status,
/// the rate and the time left, on standard error. On a terminal it redraws in place at most five
/// times a second; in a log it prints a line every 5%.
struct ProgressBar {
    let total: Int
    let quiet: Bool
    /// What is counted, for the rate: "it" (iterations) or "tasks".
    let unit: String
    private let first: Int
    private let start = Date()
    private var lastDraw = -Double.infinity
    private var lastTwentieth = -1
    private let isTerminal = isatty(STDERR_FILENO) != 0

    /// `first`: the iteration a resumed run starts from (the rate counts only this run's work).
    init(total: Int, startingAt first: Int = 0, quiet: Bool = false, unit: String = "it") {
        self.total = max(total, 1)
        self.unit = unit
        self.first = first
        self.quiet = quiet
    }

    mutating func update(_ done: Int, status: @autoclosure () -> String) {
        guard !quiet else { return }
        let elapsed = Date().timeIntervalSince(start)
        if isTerminal {
            guard elapsed - lastDraw >= 0.2 || done >= total else { return }
        } else {
            guard done * 20 / total != lastTwentieth || done >= total else { return }
            lastTwentieth = done * 20 / total
        }
        lastDraw = elapsed
        let rate = Double(done - first) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        // The first moments give no rate worth printing.
        let speed = elapsed < 0.5 ? "" : String(format: rate >= 10 ? "%.0f %@/s" : "%.2f %@/s", rate, unit)
        let width = 24
        let filled = min(width, width * done / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\(done)/\(total) \(bar) \(status())  \(speed)  ETA \(elapsed < 0.5 ? "…" : Self.duration(eta))"
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K\(line)" : "\(line)\n").utf8))
        if isTerminal && done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}

/// A progress bar that worker threads update (evaluation hears of each task as it finishes).
final class SharedProgressBar: @unchecked Sendable {
    private var bar: ProgressBar
    private let lock = NSLock()

    init(total: Int, quiet: Bool) { bar = ProgressBar(total: total, quiet: quiet, unit: "tasks") }

    func update(_ done: Int, total: Int, status: String) {
        lock.withLock {
            if total != bar.total { bar = ProgressBar(total: total, quiet: bar.quiet, unit: bar.unit) }
            bar.update(done, status: status)
        }
    }
}
