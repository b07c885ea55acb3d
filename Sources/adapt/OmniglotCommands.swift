import ArgumentParser
import Config
import Experiments
import Foundation
import MetaLearning

/// Few-shot classification from the CLI: `adapt train --config envs/experiments/omniglot.yaml --data PATH`
/// and `adapt eval --config envs/experiments/omniglot.yaml --policies runs/omniglot-maml`.
enum OmniglotCommands {
    static func train(_ command: TrainingOptions, dataset: DatasetOptions, configURL: URL) throws {
        var config = try OmniglotConfig.load(configURL)
        if let seed = command.seed { config.seed = seed }
        let algorithm = try SupervisedCommands.parseAlgorithm(command.algo, supported: OmniglotExperiment.methods) ?? config.algorithm
        guard OmniglotExperiment.methods.contains(algorithm) else {
            throw ValidationError("few-shot classification trains \(Method.names(OmniglotExperiment.methods)), not \(algorithm.rawValue)")
        }
        let data = try dataFolder(dataset.data ?? config.data)
        SupervisedCommands.log("loading \(data.path) …")
        let images = try ImageFolder.load(data, size: config.imageSize)
        let (train, _) = try samplers(config, images, configURL: configURL)
        SupervisedCommands.log("\(images.classNames.count) classes, \(train.classCount) for meta-training (rotations counted)")
        let iterations = command.iterations ?? config.iterations
        let name = configURL.deletingPathExtension().lastPathComponent
        let folder = URL(fileURLWithPath: command.out ?? "runs/\(name)-\(algorithm.rawValue)")
        var run = try OmniglotExperiment.run(config, algorithm: algorithm, sampler: train, folder: folder)
        try RunFolder.prepare(folder, config: config.yaml(), resume: command.resume)
        if command.resume { try run.resume() }
        var bar = ProgressBar(total: iterations, startingAt: run.learner.iteration, quiet: command.quiet)
        try run.train(until: iterations) { i, log, _ in
            bar.update(i, status: String(format: "loss %.4f (pre %.4f)", log.postAdaptationLoss, log.preAdaptationLoss))
        }
        try run.savePolicy(to: folder.appendingPathComponent("policy.safetensors"))
        SupervisedCommands.log(String(format: "%d iterations in %.1f s; policy in %@", run.learner.iteration, run.elapsed, folder.path))
    }

    /// One checkpoint (a policy file or a run folder), or every checkpoint of a folder (default
    /// policies/<config name>/) as the benchmark table.
    static func evaluate(_ command: HeldOutOptions, dataset: DatasetOptions, configURL: URL) throws {
        var config = try OmniglotConfig.load(configURL)
        if let seed = command.seed { config.evaluation.seed = seed }
        let name = configURL.deletingPathExtension().lastPathComponent
        var url = URL(fileURLWithPath: command.policies ?? "policies/\(name)")
        if !url.path.hasSuffix(".safetensors") {
            if !FileManager.default.fileExists(atPath: url.appendingPathComponent("policy.safetensors").path) {
                return try FewShotTableCommand.evaluate(command, config: config, dataset: dataset, configURL: configURL, folder: url)
            }
            url.appendPathComponent("policy.safetensors")
        }
        let policy = try SinusoidExperiment.loadPolicy(url)
        try SinusoidExperiment.requireShapes(policy, of: OmniglotExperiment.initialParameters(config, algorithm: policy.algorithm), path: url.path)
        let data = try dataFolder(dataset.data ?? config.data)
        let images = try ImageFolder.load(data, size: config.imageSize)
        let (_, test) = try samplers(config, images, configURL: configURL)
        let curve = OmniglotExperiment.evaluate(config, algorithm: policy.algorithm, parameters: policy.parameters, stepSizes: policy.stepSizes,
                                                sampler: test, episodes: command.tasks, steps: command.steps)
        struct Report: Encodable { var experiment: String; var ways: Int; var shots: Int; var accuracy: Evaluation.Curve }
        try Measure.print(Report(experiment: configURL.deletingPathExtension().lastPathComponent, ways: config.ways, shots: config.shots, accuracy: curve), json: command.json)
    }

    /// The train and test samplers; a config that does not fit the dataset is an error naming the file.
    static func samplers(_ config: OmniglotConfig, _ images: ImageFolder, configURL: URL, testShots: [Int] = []) throws -> (train: EpisodeSampler, test: EpisodeSampler) {
        do { return try OmniglotExperiment.samplers(config, folder: images, testShots: testShots) } catch let error as ConfigError where error.file.isEmpty {
            throw ConfigError(file: configURL.path, key: error.key, message: error.message)
        }
    }

    static func dataFolder(_ path: String) throws -> URL {
        guard !path.isEmpty else {
            throw ValidationError("no dataset: pass --data PATH (a folder in the Omniglot layout, alphabet/character/*.png) or set `data:` in the config")
        }
        return URL(fileURLWithPath: path)
    }
}
