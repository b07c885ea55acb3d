import Envs
import Graphics

/// Gymnasium's render modes: text for terminals, or an RGB frame.
public enum RenderMode: String, Sendable, CaseIterable {
    case ansi
    case rgbArray = "rgb_array"
}

public enum Rendering: Sendable {
    case text(String)
    case image(Canvas)
}

extension Env {
    /// The current state drawn as text (`.ansi`, 80 × 24) or as a 480 × 270 RGB frame.
    public func render(_ mode: RenderMode) -> Rendering {
        switch mode {
        case .ansi: .text(ASCIIRenderer().render(scene()))
        case .rgbArray: .image(SceneRasterizer().draw(scene()))
        }
    }
}
