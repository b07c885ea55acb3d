import ArgumentParser
import Foundation

/// Supervised meta-learning from the CLI (sinusoid regression, few-shot classification).
enum SupervisedCommands {
    static func train(_ command: TrainCommand, configURL: URL) throws {
        throw ValidationError("supervised training is not available in this build yet")
    }

    static func evaluate(_ command: EvalCommand, configURL: URL) throws {
        throw ValidationError("supervised evaluation is not available in this build yet")
    }
}
