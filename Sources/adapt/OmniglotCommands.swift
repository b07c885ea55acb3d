import ArgumentParser
import Foundation
import MetaLearning

/// Few-shot classification from the CLI: `adapt train --config envs/experiments/omniglot.yaml --data PATH`
/// and `adapt eval --config envs/experiments/omniglot.yaml --policies runs/omniglot-maml`.
enum OmniglotCommands {
    static func train(_ command: TrainingOptions, dataset: DatasetOptions, configURL: URL) throws {
        var config = try OmniglotConfig.load(configURL)
        if let seed = command.seed { config.seed = seed }
        let algorithm = try SupervisedCommands.parseAlgorithm(command.algo) ?? config.algorithm
        guard algorithm == .maml || algorithm == .fomaml || algorithm == .reptile else {
            throw ValidationError("few-shot classification trains maml, fomaml or reptile, not \(algorithm.rawValue)")
        }
        let data = try dataFolder(dataset.data ?? config.data)
        SupervisedCommands.log("loading \(data.path) …")
        let images = try ImageFolder.load(data, size: config.imageSize)
        let (train, _) = try OmniglotExperiment.samplers(config, folder: images)
        SupervisedCommands.log("\(images.classNames.count) classes, \(train.classCount) for meta-training (rotations counted)")
        let iterations = command.iterations ?? config.iterations
        let folder = URL(fileURLWithPath: command.out ?? "runs/omniglot-\(algorithm.rawValue)")
        var run = OmniglotExperiment.run(config, algorithm: algorithm, sampler: train, folder: folder)
        try RunFolder.prepare(folder, config: config.yaml(), resume: command.resume)
        if command.resume { try run.resume() }
        var bar = ProgressBar(total: iterations, startingAt: run.learner.iteration, quiet: command.quiet)
        try run.train(until: iterations) { i, log, _ in
            bar.update(i, status: String(format: "loss %.4f (pre %.4f)", log.postAdaptationLoss, log.preAdaptationLoss))
        }
        try run.savePolicy(to: folder.appendingPathComponent("policy.safetensors"))
        SupervisedCommands.log(String(format: "%d iterations in %.1f s; policy in %@", run.learner.iteration, run.elapsed, folder.path))
    }

    static func evaluate(_ command: HeldOutOptions, dataset: DatasetOptions, configURL: URL) throws {
        var config = try OmniglotConfig.load(configURL)
        if let seed = command.seed { config.evaluation.seed = seed }
        guard let policies = command.policies else { throw ValidationError("--policies: a run folder or a policy file") }
        var url = URL(fileURLWithPath: policies)
        if !url.path.hasSuffix(".safetensors") { url.appendPathComponent("policy.safetensors") }
        let policy = try SinusoidExperiment.loadPolicy(url)
        var rng = Xoshiro256(seed: 0)
        try SinusoidExperiment.requireShapes(policy, of: config.model.initialParameters(using: &rng), path: url.path)
        let data = try dataFolder(dataset.data ?? config.data)
        let images = try ImageFolder.load(data, size: config.imageSize)
        let (_, test) = try OmniglotExperiment.samplers(config, folder: images)
        let curve = OmniglotExperiment.evaluate(config, parameters: policy.parameters, stepSizes: policy.stepSizes,
                                                sampler: test, episodes: command.tasks, steps: command.steps)
        struct Report: Encodable { var experiment: String; var ways: Int; var shots: Int; var accuracy: Evaluation.Curve }
        try Measure.print(Report(experiment: "omniglot", ways: config.ways, shots: config.shots, accuracy: curve), json: command.json)
    }

    static func dataFolder(_ path: String) throws -> URL {
        guard !path.isEmpty else {
            throw ValidationError("no dataset: pass --data PATH (a folder in the Omniglot layout, alphabet/character/*.png) or set `data:` in the config")
        }
        return URL(fileURLWithPath: path)
    }
}
