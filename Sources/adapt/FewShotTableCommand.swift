import ArgumentParser
import Config
import Experiments
import Foundation
import Graphics
import MetaLearning
import NN

/// `adapt eval --config envs/experiments/glyphs.yaml`: every checkpoint of policies/glyphs/ (or
/// `--policies FOLDER`) and the raw-pixel baseline at 5/20-way × 1/5-shot, as one table (Markdown,
/// or JSON with --json), table.json and an accuracy figure in runs/eval-<config>/.
enum FewShotTableCommand {
    static func evaluate(_ command: HeldOutOptions, config: OmniglotConfig, dataset: DatasetOptions, configURL: URL, folder: URL) throws {
        if command.steps != nil { throw ValidationError("--steps applies to one checkpoint (--policies FILE); the table adapts MAML's family as it was trained") }
        let entries = try checkpoints(in: folder, config: config) + [OmniglotExperiment.pixelCentroidEntry]
        let data = try OmniglotCommands.dataFolder(dataset.data ?? config.data)
        let images = try ImageFolder.load(data, size: config.imageSize)
        let settings = FewShotTable.Setting.standard
        let (_, test) = try OmniglotCommands.samplers(config, images, configURL: configURL, testShots: settings.map(\.shots))
        if let tooMany = settings.first(where: { $0.ways > test.classCount }) {
            throw ValidationError("\(tooMany.label) needs \(tooMany.ways) test classes; \(data.path) has \(test.classCount)")
        }
        let table = FewShotTable.evaluate(entries, settings: settings, sampler: test, episodes: command.tasks ?? config.evaluation.episodes,
                                          queryShots: config.evaluation.queryShots, seed: config.evaluation.seed,
                                          workers: BLAS.processorCount) { SupervisedCommands.log($0) }
        let out = URL(fileURLWithPath: command.out ?? "runs/eval-\(configURL.deletingPathExtension().lastPathComponent)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try AtomicFile.write(Measure.json(table), to: out.appendingPathComponent("table.json"))
        try AtomicFile.write(Data((table.markdown + "\n").utf8), to: out.appendingPathComponent("table.md"))
        try figure(table).writePNG(to: out.appendingPathComponent("accuracy.png").path)
        if command.json { try Measure.print(table, json: true) } else {
            print(table.markdown)
            print("\(table.episodes) test episodes per setting, \(table.queryShots) queries per class; CPU \(Machine.cpuModel), "
                  + "OpenBLAS \(BLAS.kernel); results in \(out.path)")
        }
    }

    /// Every `*.safetensors` of the folder, in the table's order of methods, with its training
    /// time from the `<name>-progress.csv` beside it. `<method>-<N>way.safetensors` (trained at N
    /// ways) joins `<method>`'s row.
    static func checkpoints(in folder: URL, config: OmniglotConfig) throws -> [FewShotTable.Entry] {
        guard let files = try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter({ $0.pathExtension == "safetensors" }), !files.isEmpty else {
            throw ValidationError("no checkpoints (*.safetensors) in \(folder.path): train them with scripts/train-glyphs.sh or pass --policies")
        }
        let policies = try files.map { try SinusoidExperiment.loadPolicy($0) }.sorted { a, b in
            (Method.allCases.firstIndex(of: a.algorithm)!, a.name) < (Method.allCases.firstIndex(of: b.algorithm)!, b.name)
        }
        return try zip(policies, policies.map { folder.appendingPathComponent("\($0.name).safetensors") }).map { policy, url in
            // The settings it was trained with (its model and its inner loop); a checkpoint from
            // before they were recorded whole gives those that shape its model.
            var trained = config
            if let text = policy.metadata["config"] {
                trained = try OmniglotConfig.parse(text, file: url.path + " (metadata 'config')")
            } else {
                if let ways = policy.metadata["ways"].flatMap(Int.init) { trained.ways = ways }
                if let steps = policy.metadata["meta_lstm_steps"].flatMap(Int.init) { trained.learner.metaLSTMSteps = steps }
                if let steps = policy.metadata["full_context_steps"].flatMap(Int.init) { trained.learner.fullContextSteps = steps }
                try trained.validate()
            }
            try SinusoidExperiment.requireShapes(policy, of: OmniglotExperiment.initialParameters(trained, algorithm: policy.algorithm), path: url.path)
            let progress = url.deletingPathExtension().path + "-progress.csv"
            let suffix = "-\(trained.ways)way"
            let method = policy.name.hasSuffix(suffix) ? String(policy.name.dropLast(suffix.count)) : policy.name
            return OmniglotExperiment.tableEntry(trained, name: method, algorithm: policy.algorithm, parameters: policy.parameters, stepSizes: policy.stepSizes,
                                                 trainingSeconds: lastWallClock(progress))
        }
    }

    /// The last row's `wall_s` of a progress.csv, if there is one.
    static func lastWallClock(_ path: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: ","), let column = header.firstIndex(of: "wall_s"), let last = lines.last, lines.count > 1 else { return nil }
        let fields = last.split(separator: ",")
        return column < fields.count ? Double(fields[column]) : nil
    }

    /// Accuracy against the setting, a line per method with its 95% band.
    static func figure(_ table: FewShotTable) -> LinePlot {
        var plot = LinePlot(title: "Few-shot test accuracy (\(table.episodes) episodes per setting)",
                            xLabel: table.settings.enumerated().map { "\($0 + 1): \($1.label)" }.joined(separator: ", "),
                            yLabel: "accuracy", width: 760, height: 460)
        plot.integerXTicks = true
        for (r, row) in table.rows.enumerated() {
            let points = row.cells.enumerated().compactMap { s, cell in cell.map { (Double(s + 1), $0) } }
            guard !points.isEmpty else { continue }
            plot.add(LinePlot.Series(label: row.method, x: points.map(\.0), y: points.map(\.1.accuracy),
                                     lower: points.map { $0.1.accuracy - $0.1.ci95 }, upper: points.map { $0.1.accuracy + $0.1.ci95 },
                                     color: LinePlot.palette[r % LinePlot.palette.count],
                                     dashed: r >= LinePlot.palette.count, markers: true))  // a repeated colour, told apart by its dashes
        }
        return plot
    }
}
