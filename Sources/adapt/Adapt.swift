import ArgumentParser

/// The `adapt` command: trains, evaluates, renders and benchmarks meta-learners.
/// Each subcommand lives in its own file and only parses options and calls library APIs.
@main
struct Adapt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapt",
        abstract: "Model-agnostic meta-learning (MAML) for reinforcement and supervised learning.",
        subcommands: [DemoCommand.self, TrainCommand.self, EvalCommand.self, RenderCommand.self, Bench.self]
    )
}
