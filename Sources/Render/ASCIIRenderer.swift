import Envs
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws a `Scene` as text: `rows` lines of exactly `columns` characters, the last a status line.
/// Side view (2 m of height, width to match): the ground as `=` with `+` ticks every metre and
/// metre numbers beneath, robot
/// segments as `- / | \` by slope, a goal as a `|` column topped by `G`. Top-down view: a framed
/// arena with the trail `.`, the goal `G` and the agent `@`.
public struct ASCIIRenderer: Sendable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int = 80, rows: Int = 24) {
        precondition(columns >= 20 && rows >= 6, "the ASCII view needs at least 20 × 6 characters")
        self.columns = columns
        self.rows = rows
    }

    /// Sized to the terminal (`TIOCGWINSZ`, then `$COLUMNS`/`$LINES`, else 80 × 24).
    public static func fittingTerminal() -> ASCIIRenderer {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20, size.ws_row >= 6 {
            return ASCIIRenderer(columns: Int(size.ws_col), rows: Int(size.ws_row) - 1)
        }
        let env = ProcessInfo.processInfo.environment
        return ASCIIRenderer(columns: max(20, Int(env["COLUMNS"] ?? "") ?? 80), rows: max(6, (Int(env["LINES"] ?? "") ?? 24) - 1))
    }

    public func render(_ scene: Scene) -> String {
        var grid = [[Character]](repeating: [Character](repeating: " ", count: columns), count: rows - 1)
        switch scene.view {
        case .side: drawSide(scene, &grid)
        case .topDown: drawTopDown(scene, &grid)
        }
        var status = scene.status.map { "\($0.0) \($0.1)" }.joined(separator: "  ")
        if status.count > columns { status = String(status.prefix(columns)) }
        let lines = grid.map { String($0) } + [status.padding(toLength: columns, withPad: " ", startingAt: 0)]
        return lines.joined(separator: "\n")
    }

    private func drawSide(_ scene: Scene, _ grid: inout [[Character]]) {
        let height = grid.count
        // Two metres of air above the ground fill the rows; terminal cells are about twice as tall
        // as wide, so a metre spans twice as many columns as rows. The view centres on the camera.
        let groundRow = height - 3
        let sy = Double(groundRow) / 2
        let sx = 2 * sy
        let left = scene.camera.x - Double(columns) / sx / 2
        func cell(_ p: Vec2) -> (c: Int, r: Int) {
            (Int(((p.x - left) * sx).rounded(.down)), groundRow - Int((p.y * sy).rounded(.down)) - 1)
        }
        func put(_ c: Int, _ r: Int, _ ch: Character) {
            if r >= 0, r < height, c >= 0, c < columns { grid[r][c] = ch }
        }
        for c in 0..<columns { put(c, groundRow, "=") }
        var metre = Int(left.rounded(.down))
        while Double(metre) <= left + Double(columns) / sx {
            let c = Int(((Double(metre) - left) * sx).rounded(.down))
            put(c, groundRow, "+")
            let label = String(metre)
            if c >= 0, c + label.count <= columns {  // whole numbers only; a clipped "-2" would read "2"
                for (k, ch) in label.enumerated() { put(c + k, groundRow + 1, ch) }
            }
            metre += 1
        }
        if case let .x(gx)? = scene.goal {
            let c = cell(Vec2(gx, 0)).c
            for r in max(0, groundRow - 6)..<groundRow { put(c, r, "|") }
            put(c, max(0, groundRow - 7), "G")
        }
        for item in scene.items {
            switch item.shape {
            case let .capsule(a, b, _): segment(a, b, cell, put)
            case let .circle(center, _): let p = cell(center); put(p.c, p.r, "o")
            case let .polygon(points):
                for (a, b) in zip(points, points.dropFirst() + [points[0]]) { segment(a, b, cell, put) }
            }
        }
    }

    /// Marks the cells a segment crosses with a character showing its slope on screen.
    private func segment(_ a: Vec2, _ b: Vec2, _ cell: (Vec2) -> (c: Int, r: Int), _ put: (Int, Int, Character) -> Void) {
        let p = cell(a), q = cell(b)
        let dc = Double(q.c - p.c), dr = Double(q.r - p.r)
        let ch: Character
        if abs(dr) <= 0.5 * abs(dc) { ch = "-" } else if abs(dc) <= 0.5 * abs(dr) { ch = "|" } else { ch = (dc > 0) == (dr < 0) ? "/" : "\\" }
        let steps = max(1, Int(max(abs(dc), abs(dr))) * 2)
        for i in 0...steps {
            let t = Double(i) / Double(steps)
            put(Int((Double(p.c) + t * dc).rounded()), Int((Double(p.r) + t * dr).rounded()), ch)
        }
    }

    private func drawTopDown(_ scene: Scene, _ grid: inout [[Character]]) {
        let height = grid.count
        // Square arena: one metre spans twice as many columns as rows.
        let sx = Double(columns - 2) / scene.viewWidth
        let sy = min(sx / 2, Double(height - 2) / scene.viewWidth)
        let sxx = sy * 2
        func cell(_ p: Vec2) -> (c: Int, r: Int) {
            (columns / 2 + Int(((p.x - scene.camera.x) * sxx).rounded()), height / 2 - Int(((p.y - scene.camera.y) * sy).rounded()))
        }
        func put(_ c: Int, _ r: Int, _ ch: Character) {
            if r >= 0, r < height, c >= 0, c < columns { grid[r][c] = ch }
        }
        let half = scene.viewWidth / 2
        let tl = cell(Vec2(scene.camera.x - half, scene.camera.y + half)), br = cell(Vec2(scene.camera.x + half, scene.camera.y - half))
        for c in tl.c...br.c { put(c, tl.r, "-"); put(c, br.r, "-") }
        for r in tl.r...br.r { put(tl.c, r, "|"); put(br.c, r, "|") }
        for corner in [tl, br, (tl.c, br.r), (br.c, tl.r)] { put(corner.0, corner.1, "+") }
        let o = cell(Vec2(0, 0))
        put(o.c, o.r, "+")
        for p in scene.trail { let q = cell(p); put(q.c, q.r, ".") }
        if case let .point(goal)? = scene.goal { let g = cell(goal); put(g.c, g.r, "G") }
        for item in scene.items {
            if case let .circle(center, _) = item.shape { let p = cell(center); put(p.c, p.r, "@") }
        }
    }
}

import Foundation
