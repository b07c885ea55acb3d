import Foundation

/// Plays text frames in a terminal: clears once, then redraws each frame from the top-left
/// (cursor home, no scrolling) at a fixed rate.
public struct TerminalPlayer {
    /// Seconds between frames (the env's step duration for real time; less to play faster).
    public var interval: Double
    private var next: Date?

    public init(interval: Double) { self.interval = interval }

    /// Shows one frame, waiting until its time has come.
    public mutating func show(_ frame: String) {
        if next == nil { FileHandle.standardOutput.write(Data("\u{1B}[2J\u{1B}[?25l".utf8)) }  // clear, hide cursor
        if let next, next > Date() { Thread.sleep(until: next) }
        FileHandle.standardOutput.write(Data(("\u{1B}[H" + frame + "\n").utf8))
        next = (next ?? Date()).addingTimeInterval(interval)
    }

    /// Shows the cursor again.
    public func finish() { FileHandle.standardOutput.write(Data("\u{1B}[?25h".utf8)) }
}
