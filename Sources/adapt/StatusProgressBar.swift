import Foundation

/// A one-line progress bar on standard error: iteration, a bar, a caller-supplied status and the
/// estimated time left. Redraws in place on a terminal; prints a line every 5% otherwise.
struct StatusProgressBar {
    let total: Int
    let start = Date()
    let first: Int
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrinted = -1

    init(total: Int, startingAt first: Int = 0) {
        self.total = max(total, 1)
        self.first = first
    }

    mutating func update(_ done: Int, status: String) {
        let elapsed = Date().timeIntervalSince(start)
        let rate = Double(done - first) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let width = 24
        let filled = min(width, width * done / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\(done)/\(total) \(bar) \(status)  ETA \(Self.duration(eta))"
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if done * 20 / total != lastPrinted || done == total {
            lastPrinted = done * 20 / total
            FileHandle.standardError.write(Data("\(line)\n".utf8))
        }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}
