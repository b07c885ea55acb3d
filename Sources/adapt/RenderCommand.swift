import ArgumentParser
import Envs
import Foundation
import Graphics
import Render
import RL
import SeededRandom

/// `adapt render`: draws a rollout of an env as ASCII (live in the terminal, or to a text file),
/// as a PNG of the final frame, or as an animated GIF.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Draw an environment rollout as ASCII, PNG or GIF.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case ascii, png, gif }

    @Option(help: "Environment: \(EnvRegistry.names.joined(separator: ", ")) (default: the checkpoint's, else half-cheetah-vel).")
    var env: String?
    // `.unconditional` so negative values (`--task -1`) are taken as the value, not as a flag.
    @Option(parsing: .unconditional,
            help: "Task parameter: goal velocity, direction (1 or -1), goal x, or 'x,y' for navigation; default: the family's default task.")
    var task: String?
    @Option(help: "Policy: random, zero, or a checkpoint path (acts with its mean action).") var policy: PolicyChoice = .random
    @Option(name: .customLong("adapt-steps"), help: "With a checkpoint: policy-gradient steps on fresh episodes of the task before rendering.")
    var adaptSteps = 0
    @Option(help: "Output format.") var format: Format = .ascii
    @Option(help: "Output file; ASCII without it plays in the terminal. Default for png/gif: <env>.<format>.")
    var out: String?
    @Option(help: "Env steps to run.") var steps = 200
    @Option(help: "Seed for the reset noise and random actions.") var seed: UInt64 = 0
    @Option(help: "Playback speed for terminal ASCII and GIF (1 = real time).") var speed = 1.0
    @Option(help: "Image width in pixels.") var width = 480
    @Option(help: "Image height in pixels.") var height = 270

    func validate() throws {
        if let env, !EnvRegistry.names.contains(env) { throw ValidationError("\(EnvError.unknownEnv(env))") }
        try Limits.check("--adapt-steps", adaptSteps, in: 0...100)
        // A GIF holds every frame: 10,000 frames of 480 × 270 are 1.3 GB before compression.
        try Limits.check("--steps", steps, in: 0...(format == .gif ? 10_000 : 1_000_000))
        try Limits.checkPositive("--speed", speed, atMost: 1000)
        try Limits.check("--width", width, in: 32...4096)
        try Limits.check("--height", height, in: 32...4096)
        if adaptSteps > 0, case .checkpoint = policy {} else if adaptSteps > 0 {
            throw ValidationError("--adapt-steps needs a checkpoint --policy")
        }
    }

    func run() throws {
        let checkpoint = try policy.checkpoint()
        let env = self.env ?? checkpoint?.env ?? "half-cheetah-vel"
        if let checkpoint, checkpoint.env != env {
            throw ValidationError("\(policy) acts in \(checkpoint.env), not \(env)")
        }
        let spec = try EnvRegistry.spec(env)
        let chosen = try task.map { try Task(kind: spec.defaultTask.kind, parsing: $0) }
        let environment = try spec.make(task: chosen, config: checkpoint?.config.envConfig ?? EnvConfig())
        var rng = Xoshiro256(seed: seed)
        let act: ([Float]) throws -> [Float]
        let space = environment.actionSpace
        if let checkpoint {
            let parameters = try adapted(checkpoint, to: environment.task)
            act = { checkpoint.meanAction($0, at: parameters) }
        } else if case .random = policy {
            act = { _ in space.sample(using: &rng) }
        } else {
            act = { _ in [Float](repeating: 0, count: space.count) }
        }
        // One env step is 0.05 s for locomotion (0.01 s × frame-skip 5); navigation plays at the same pace.
        let frameSeconds = 0.05 / speed

        switch format {
        case .ascii:
            if let out {
                let renderer = ASCIIRenderer(columns: 100, rows: 30)
                var frames: [String] = []
                try environment.rollout(steps: steps, seed: seed, act: act) { frames.append(renderer.render($0)) }
                try frames.enumerated().map { "frame \($0.offset)\n\($0.element)\n" }.joined(separator: "\n")
                    .write(toFile: out, atomically: true, encoding: .utf8)
                print("wrote \(frames.count) frames to \(out)")
            } else {
                let renderer = ASCIIRenderer.fittingTerminal()
                var player = TerminalPlayer(interval: frameSeconds)
                defer { player.finish() }
                try environment.rollout(steps: steps, seed: seed, act: act) { player.show(renderer.render($0)) }
            }
        case .png:
            let path = out ?? "\(env).png"
            var last: Scene?
            try environment.rollout(steps: steps, seed: seed, act: act) { last = $0 }
            try PNG.write(SceneRasterizer(width: width, height: height).draw(last!), to: path)
            print("wrote \(path)")
        case .gif:
            let path = out ?? "\(env).gif"
            let raster = SceneRasterizer(width: width, height: height)
            var gif = GIFWriter(width: width, height: height, delayCentiseconds: max(2, Int((frameSeconds * 100).rounded())))
            try environment.rollout(steps: steps, seed: seed, act: act) { gif.add(raster.draw($0)) }
            try gif.write(to: path)
            print("wrote \(path) (\(gif.frames.count) frames)")
        }
    }
}

extension RenderCommand {
    /// The checkpoint's parameters after `--adapt-steps` policy-gradient steps on `task`, each on
    /// fresh episodes (the step sizes recorded for it at test, else its training α, halved after).
    func adapted(_ checkpoint: PolicyCheckpoint, to task: Task) throws -> Parameters {
        guard adaptSteps > 0 else { return checkpoint.parameters }
        let rollout = try checkpoint.adapt(to: task, steps: adaptSteps, seed: seed)
        print(String(format: "adapted by %d step%@: average return %.1f → %.1f", adaptSteps, adaptSteps == 1 ? "" : "s",
                     rollout.returnBefore, rollout.returnAfter))
        return rollout.adapted
    }
}

/// Where `adapt render` gets actions: uniform over the action space, all zeros, or a checkpoint
/// (a path) acting with its mean action.
enum PolicyChoice: ExpressibleByArgument, CustomStringConvertible {
    case random
    case zero
    case checkpoint(String)

    init?(argument: String) {
        switch argument {
        case "random": self = .random
        case "zero": self = .zero
        default: self = .checkpoint(argument)
        }
    }

    static var defaultCompletionKind: CompletionKind { .file() }

    var description: String {
        switch self {
        case .random: "random"
        case .zero: "zero"
        case let .checkpoint(path): path
        }
    }

    /// The checkpoint this choice names, loaded and checked; nil for random and zero.
    func checkpoint() throws -> PolicyCheckpoint? {
        guard case let .checkpoint(path) = self else { return nil }
        return try PolicyCheckpoint.read(URL(fileURLWithPath: path))
    }
}
