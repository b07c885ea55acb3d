import Envs
import Experiments
import Graphics
import Render
import RL

/// Four frames of one mean-action episode in a 2 × 2 grid, read like text: what TensorBoard shows
/// of a meta-RL run's policy every `imageEvery` iterations.
enum RolloutFilmstrip {
    static let frames = 4
    static let columns = 2
    static let frameWidth = 320
    static let frameHeight = 180

    /// The image maker for a run: θ adapted as at test time (one step on fresh episodes; none for
    /// the oracle) to one task drawn once for the whole run, so images compare across iterations.
    static func maker(for trainer: MetaRLTrainer) -> (Parameters, Int) throws -> TensorBoardEvent.Image {
        var rng = Xoshiro256(seed: trainer.config.seed ^ 0xF11_57A1)
        let task = trainer.tasks.sample(using: &rng)
        let (policy, env, algorithm, config) = (trainer.sampler.policy, trainer.envName, trainer.algorithm, trainer.config)
        return { parameters, iteration in
            let checkpoint = PolicyCheckpoint(parameters: parameters, policy: policy, env: env, algorithm: algorithm.rawValue,
                                              config: config, iteration: iteration)
            let steps = algorithm.adaptsAtTest ? 1 : 0
            let adapted = try checkpoint.adapt(to: task, steps: steps, seed: UInt64(iteration)).adapted
            var scenes: [Scene] = []
            let episode = try GreedyEpisode(checkpoint, parameters: adapted, task: task, seed: 0) { scenes.append($0.scene()) }
            let label = steps == 0 ? "\(algorithm.rawValue), iteration \(iteration)" : "\(algorithm.rawValue) after 1 step, iteration \(iteration)"
            let canvas = strip(scenes, label: label, summary: String(format: "return %.1f", episode.totalReward))
            return TensorBoardEvent.Image(tag: "rollout/\(task)", width: canvas.width, height: canvas.height, png: PNG.encode(canvas))
        }
    }

    /// Evenly spaced frames from the first to the last, row by row.
    static func strip(_ scenes: [Scene], label: String, summary: String) -> Canvas {
        let raster = SceneRasterizer(width: frameWidth, height: frameHeight)
        var canvas = Canvas(width: frameWidth * columns, height: frameHeight * ((frames + columns - 1) / columns))
        guard !scenes.isEmpty else { return canvas }
        for f in 0..<frames {
            let index = f * (scenes.count - 1) / (frames - 1)
            var scene = scenes[index]
            // One short line per frame (a frame is too narrow for the env's own status).
            scene.status = [f == 0 ? ("", label) : f == frames - 1 ? ("step \(index)", summary) : ("step", "\(index)")]
            canvas.paste(raster.draw(scene), x: f % columns * frameWidth, y: f / columns * frameHeight)
        }
        return canvas
    }
}
