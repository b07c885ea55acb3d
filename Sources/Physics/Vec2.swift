/// A point or vector in the plane (x forward, y up, metres).
public struct Vec2: Sendable, Hashable, Codable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }

    public static func + (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x + b.x, a.y + b.y) }
    public static func - (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x - b.x, a.y - b.y) }
    public static func * (s: Double, v: Vec2) -> Vec2 { Vec2(s * v.x, s * v.y) }
    /// This vector turned counter-clockwise by `angle` radians.
    public func rotated(by angle: Double) -> Vec2 {
        let c = cos(angle), s = sin(angle)
        return Vec2(c * x - s * y, s * x + c * y)
    }
    public var length: Double { (x * x + y * y).squareRoot() }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
