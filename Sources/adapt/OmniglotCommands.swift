import ArgumentParser
import Foundation

/// Few-shot classification from the CLI (Omniglot layout folders).
enum OmniglotCommands {
    static func train(_ command: TrainCommand, configURL: URL) throws {
        throw ValidationError("few-shot classification training is not available in this build yet")
    }

    static func evaluate(_ command: EvalCommand, configURL: URL) throws {
        throw ValidationError("few-shot classification evaluation is not available in this build yet")
    }
}
