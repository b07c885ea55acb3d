import Foundation
import SeededRandom

/// How one image of a character departs from the canonical one: the small random affine and
/// stroke-width changes that stand in for the differences between Omniglot's 20 drawers.
struct GlyphJitter: Equatable {
    /// Extent relative to the canonical 72% of the image's side.
    var scale = 1.0
    var rotation = 0.0
    /// Horizontal shear (x += shear · y).
    var shear = 0.0
    /// Offset of the ink's centre from the image's centre, in output pixels.
    var dx = 0.0, dy = 0.0
    /// Outline growth in pixels at the 64-pixel rendering (negative: thinner strokes).
    var stroke = 0.0

    static let canonical = GlyphJitter()

    /// Scale 0.85…1.1, rotation ±10°, shear ±0.15, offset ±1.5 px, stroke −1…+3 px.
    static func random<G: RandomNumberGenerator>(using rng: inout G) -> GlyphJitter {
        GlyphJitter(scale: .random(in: 0.85...1.1, using: &rng), rotation: .random(in: -10...10, using: &rng) * .pi / 180,
                    shear: .random(in: -0.15...0.15, using: &rng), dx: .random(in: -1.5...1.5, using: &rng),
                    dy: .random(in: -1.5...1.5, using: &rng), stroke: .random(in: -1...3, using: &rng))
    }

    /// The glyph's ink, centred and scaled so its longer side spans 72% of a `size` × `size`
    /// image, moved by this jitter, averaged over 3 × 3 samples per pixel: ink in 0 … 1.
    func image(of glyph: Bitmap, size: Int) -> [Float]? {
        guard let box = glyph.inkBox else { return nil }
        let (cx, cy) = (Double(box.x0 + box.x1) / 2, Double(box.y0 + box.y1) / 2)
        let extent = Double(max(box.x1 - box.x0, box.y1 - box.y0))
        let pixelsPerSource = Double(size) * 0.72 * scale / extent
        let (c, s) = (cos(rotation), sin(rotation))
        let centre = Double(size) / 2
        var pixels = [Float](repeating: 0, count: size * size)
        let offsets = [1.0 / 6, 0.5, 5.0 / 6]
        for y in 0..<size {
            for x in 0..<size {
                var sum: Float = 0
                for oy in offsets {
                    for ox in offsets {
                        // Undo the offset, the rotation and the shear, then the scale.
                        let (u, v) = (Double(x) + ox - centre - dx, Double(y) + oy - centre - dy)
                        let (ru, rv) = (c * u + s * v, -s * u + c * v)
                        let (su, sv) = (ru - shear * rv, rv)
                        sum += glyph.sample(cx + su / pixelsPerSource, cy + sv / pixelsPerSource)
                    }
                }
                pixels[y * size + x] = min(1, sum / 9)
            }
        }
        return pixels
    }
}
