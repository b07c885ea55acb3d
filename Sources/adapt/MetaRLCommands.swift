import ArgumentParser
import Foundation

/// Meta-reinforcement learning from the CLI (MAML-TRPO on the locomotion and navigation envs).
enum MetaRLCommands {
    static func train(_ command: TrainCommand, configURL: URL) throws {
        throw ValidationError("meta-RL training is not available in this build yet")
    }

    static func evaluate(_ command: EvalCommand, configURL: URL?) throws {
        throw ValidationError("meta-RL evaluation is not available in this build yet")
    }
}
