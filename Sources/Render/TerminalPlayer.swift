import Foundation

/// Plays text frames in a terminal: clears once, then redraws each frame from the top-left
/// (cursor home, no scrolling) at a fixed rate. The cursor is hidden while playing and restored at
/// the end, or on Ctrl-C.
public struct TerminalPlayer {
    /// Seconds between frames (the env's step duration for real time; less to play faster).
    public var interval: Double
    private var next: Date?

    public init(interval: Double) { self.interval = interval }

    /// Shows one frame, waiting until its time has come.
    public mutating func show(_ frame: String) {
        if next == nil {
            signal(SIGINT) { _ in
                let restore: [UInt8] = Array("\u{1B}[?25h\n".utf8)
                _ = restore.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                _exit(130)
            }
            FileHandle.standardOutput.write(Data("\u{1B}[2J\u{1B}[?25l".utf8))  // clear, hide the cursor
        }
        if let next, next > Date() { Thread.sleep(until: next) }
        FileHandle.standardOutput.write(Data(("\u{1B}[H" + frame + "\n").utf8))
        next = (next ?? Date()).addingTimeInterval(interval)
    }

    /// Shows the cursor again.
    public func finish() {
        FileHandle.standardOutput.write(Data("\u{1B}[?25h".utf8))
        signal(SIGINT, SIG_DFL)
    }
}
