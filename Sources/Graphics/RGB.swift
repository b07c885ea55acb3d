/// An 8-bit colour.
public struct RGB: Sendable, Hashable {
    public var r: UInt8, g: UInt8, b: UInt8
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
    public init(hex: UInt32) { self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF)) }

    public static let white = RGB(255, 255, 255)
    public static let black = RGB(0, 0, 0)
    public static let sky = RGB(235, 242, 250)
    public static let ground = RGB(120, 110, 95)
    public static let goal = RGB(40, 160, 60)
    public static let agent = RGB(200, 40, 40)
    public static let trail = RGB(240, 160, 160)
}
