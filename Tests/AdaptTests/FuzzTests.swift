import Config
import Foundation
import LearnedOptimizer
import MetaLearning
import Testing
@testable import RL
@testable import adapt

/// Hostile input at every boundary: generated malformed configs, corrupted checkpoints and bad
/// command lines (1,300 inputs from a fixed seed, the cases of issue #17 among them), through
/// the library's entry points and, for a sample, the built `adapt` binary. Each must end in
/// bounded time with a clear error naming the file (and key) or the option, or with a correct,
/// finite result: no trap, no hang, nothing non-finite accepted.
@Suite(.serialized) struct FuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-fuzz-\(UUID().uuidString)")

    /// Values no key should take silently.
    static let hostileValues = [".nan", ".inf", "-.inf", "-1", "0", "1e30", "-1e30", "9223372036854775807", "99999999999",
                                "\"text\"", "[]", "{}", "null", "~", "[1, [2]]", "true", "[.nan, 1]", "[5, 1]", "0.0000001", "-0"]

    // MARK: - Configs

    func configTexts() throws -> [(String, String)] {
        var rng = Xoshiro256(seed: 2026)
        let bases = try ["navigation-2d", "half-cheetah-vel", "quadruped-dir", "sinusoid", "omniglot", "half-cheetah-vel-pytorch-maml-rl"].map {
            ($0, try String(contentsOf: Self.repository.appendingPathComponent("envs/experiments/\($0).yaml"), encoding: .utf8))
        }
        var texts: [(String, String)] = [
            ("syntax", "kind: meta-rl\nenv: navigation-2d\nmetaBatchSize: [1, 2\n"),
            ("duplicate key", "kind: meta-rl\nenv: navigation-2d\nenv: half-cheetah-vel\n"),
            ("tab", "kind: meta-rl\nenv: navigation-2d\n\tmetaBatchSize: 3\n"),
            ("NUL", "kind: meta-rl\u{0}\nenv: navigation-2d\n"),
            ("deep nesting", "kind: meta-rl\nenv: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"),
            ("billion laughs", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nkind: meta-rl\n"),
            ("huge batch", "kind: meta-rl\nenv: half-cheetah-vel\nmetaBatchSize: 10000\nepisodesPerTask: 10000\n"),
            ("missing env", "kind: meta-rl\nmetaBatchSize: 4\n"),
            ("no kind", "env: navigation-2d\n"),
            ("empty", ""),
            ("scalar", "42\n"),
            ("list", "- kind: meta-rl\n"),
            ("sinusoid inf step", "kind: sinusoid\nlearner:\n  innerStepSize: .inf\n"),
            ("sinusoid inf amplitude", "kind: sinusoid\namplitude: [-.inf, .inf]\n"),
            ("sinusoid no query points", "kind: sinusoid\nevaluation:\n  queryPoints: 0\n"),
            ("sinusoid validation tasks", "kind: sinusoid\nevaluation:\n  validationTasks: -5\n"),
            ("threads", "kind: meta-rl\nenv: navigation-2d\nthreads: 100000\n"),
            ("envs folder", "kind: meta-rl\nenv: navigation-2d\nenvConfig:\n  envsDirectory: /nonexistent\n"),
            ("huge file", "kind: meta-rl\nenv: navigation-2d\n" + String(repeating: "# padding\n", count: 120_000)),
        ]
        for key in ["innerStepSize", "initialLogStd", "metaBatchSize", "episodesPerTask", "gamma", "seed", "threads", "iterations",
                    "envConfig.horizon", "envConfig.resetNoise", "envConfig.physics.timeStep", "envConfig.physics.gravity",
                    "envConfig.physics.frameSkip", "trpo.maxKL", "trpo.cgDamping", "trpo.cgIterations", "hiddenSizes"] {
            for value in Self.hostileValues {
                let path = key.split(separator: ".")
                let yaml = path.enumerated().map { String(repeating: "  ", count: $0.offset) + $0.element + ":" }.joined(separator: "\n") + " " + value
                texts.append(("\(key) = \(value)", "kind: meta-rl\nenv: navigation-2d\n" + yaml + "\n"))
            }
        }
        // Random mutations of the shipped configs: characters deleted, inserted, lines duplicated.
        let alphabet = Array("\t\u{0}:[]{}&*#'\"-,.0123456789eE\nabc ")
        while texts.count < 700 {
            let (name, base) = bases[Int(rng.next() % UInt64(bases.count))]
            var chars = Array(base)
            for _ in 0..<(1 + Int(rng.next() % 4)) where !chars.isEmpty {
                let at = Int(rng.next() % UInt64(chars.count))
                switch rng.next() % 3 {
                case 0: chars.remove(at: at)
                case 1: chars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                default:
                    let line = chars[..<at].split(separator: "\n").last.map(Array.init) ?? []
                    chars.insert(contentsOf: line + ["\n"], at: at)
                }
            }
            texts.append(("mutated \(name)", String(chars)))
        }
        return texts
    }

    @Test func malformedConfigsEndInAnErrorNamingTheFileOrAValidConfig() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let url = Self.folder.appendingPathComponent("fuzz.yaml")
        var (refused, accepted) = (0, 0)
        for (label, text) in try configTexts() {
            try Data(text.utf8).write(to: url)
            let start = Date()
            do {
                switch try ExperimentKind(of: url) {
                case .metaRL: try check(MetaRLConfig.load(url))
                case .sinusoid: _ = try SinusoidConfig.load(url)
                case .omniglot: _ = try OmniglotConfig.load(url)
                case .metaGradientRL: try check(MetaGradientConfig.load(url))
                case .learnedOptimizer: _ = try LearnedOptimizerConfig.load(url)
                }
                accepted += 1
            } catch let error as ConfigError {
                #expect(error.file == url.path && !error.message.isEmpty, "\(label): \(error)")
                refused += 1
            } catch {
                Issue.record("\(label): not a ConfigError: \(error)")
            }
            #expect(Date().timeIntervalSince(start) < 2, "\(label) took \(Date().timeIntervalSince(start)) s")
        }
        #expect(refused > 400 && accepted > 20, "\(refused) refused, \(accepted) accepted")
    }

    /// What a meta-gradient config that passed validation must be: rates positive and finite, η in [0, 1].
    func check(_ config: MetaGradientConfig) {
        #expect(config.learningRate > 0 && config.learningRate.isFinite && config.metaLearningRate > 0 && config.metaLearningRate.isFinite)
        #expect([config.gamma, config.lambda, config.referenceGamma, config.referenceLambda].allSatisfy { (0...1).contains($0) })
        #expect((try? config.trainingTask()) != nil)
    }

    /// What a config that passed validation must be: finite, positive where it counts.
    func check(_ config: MetaRLConfig) {
        #expect(config.innerStepSize > 0 && config.innerStepSize.isFinite && config.initialLogStd.isFinite)
        #expect(config.trpo.maxKL > 0 && config.trpo.maxKL.isFinite && config.trpo.cgDamping.isFinite)
        #expect(config.envConfig.physics.timeStep > 0 && config.envConfig.physics.gravity.isFinite && config.envConfig.resetNoise.isFinite)
    }

    // MARK: - Checkpoints

    func corruptedCheckpoints() throws -> [(String, Data)] {
        var rng = Xoshiro256(seed: 17)
        let base = try Data(contentsOf: Self.repository.appendingPathComponent("policies/navigation-2d/maml.safetensors"))
        let headerLength = Int(base[0]) | Int(base[1]) << 8 | Int(base[2]) << 16
        let header = String(decoding: base[8 ..< 8 + headerLength], as: UTF8.self)
        let body = base[(8 + headerLength)...]
        func file(_ header: String) -> Data {
            var data = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(Data(header.utf8))
            data.append(body)
            return data
        }
        var cases: [(String, Data)] = [("empty", Data()), ("seven bytes", base.prefix(7)), ("header only", base.prefix(8 + headerLength))]
        for _ in 0..<60 { let cut = Int(rng.next() % UInt64(base.count)); cases.append(("truncated at \(cut)", base.prefix(cut))) }
        for _ in 0..<200 {
            var data = base
            let at = Int(rng.next() % UInt64(data.count))
            data[at] ^= UInt8(1 << (rng.next() % 8))
            cases.append(("bit flipped at \(at)", data))
        }
        // Header edits: impossible shapes, offsets, dtypes; metadata naming other envs and policies.
        let edits: [(String, String)] = [
            ("[100,2]", "[4611686018427387904,4]"), ("[100,2]", "[-1,200]"), ("\"F32\"", "\"F64\""), ("\"F32\"", "\"I8\""),
            ("\"env\":\"navigation-2d\"", "\"env\":\"half-cheetah-vel\""), ("\"env\":\"navigation-2d\"", "\"env\":\"nowhere\""),
            ("\"algorithm\":\"maml\"", "\"algorithm\":\"magic\""), ("\"iteration\":\"", "\"iteration\":\"-"),
            ("\\\"sizes\\\":[2,", "\\\"sizes\\\":[20,"), ("\\\"sizes\\\":[2,", "\\\"sizes\\\":[-2,"),
            ("\\\"sizes\\\":[2,", "\\\"sizes\\\":[1000000000,"), ("\\\"inputSize\\\":100", "\\\"inputSize\\\":7"),
            ("\"test_step_sizes\":\"", "\"test_step_sizes\":\"-5,-5,"), ("\"test_step_sizes\":\"", "\"test_step_sizes\":\"abc"),
            ("\"random_test_step_sizes\":\"", "\"random_test_step_sizes\":\"0,"),
            ("kind: meta-rl", "kind: sinusoid"), ("innerStepSize: ", "innerStepSize: -"), ("env: navigation-2d", "env: none"),
            ("__metadata__", "__metadatum__"), ("data_offsets", "offsets"),
        ]
        for (from, to) in edits where header.contains(from) { cases.append(("edit \(from) → \(to)", file(header.replacingOccurrences(of: from, with: to)))) }
        for value in Self.hostileValues {
            for key in ["iteration", "test_step_sizes", "seed", "commit"] {
                let edited = header.replacingOccurrences(of: #""\#(key)":"[^"]*""#, with: "\"\(key)\":\(Self.jsonString(value))", options: .regularExpression)
                cases.append(("\(key) = \(value)", file(edited)))
            }
        }
        return cases
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: []), as: UTF8.self).dropFirst().dropLast().description
    }

    @Test func corruptedCheckpointsAreRefusedOrLoadWhole() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let url = Self.folder.appendingPathComponent("fuzz.safetensors")
        var (refused, loaded) = (0, 0)
        let cases = try corruptedCheckpoints()
        #expect(cases.count >= 340)
        for (label, data) in cases {
            try data.write(to: url)
            do {
                let checkpoint = try PolicyCheckpoint.read(url)
                #expect(checkpoint.parameters.isFinite && checkpoint.testStepSizes.allSatisfy { $0 > 0 && $0.isFinite }, "\(label)")
                loaded += 1
            } catch let error as PolicyCheckpoint.Error {
                #expect(error.description.contains(url.path), "\(label): \(error)")
                refused += 1
            } catch let error as Safetensors.Error {
                #expect(error.description.contains(url.path), "\(label): \(error)")
                refused += 1
            } catch {
                Issue.record("\(label): unexpected error \(error)")
            }
        }
        // Flips in the header's spaces or in metadata text nobody checks can load; no flip of the data can.
        #expect(refused > 300, "\(refused) refused, \(loaded) loaded")
    }

    // MARK: - Command lines

    func commandLines() -> [[String]] {
        var rng = Xoshiro256(seed: 5)
        var lines: [[String]] = [
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--episodes", "0"],
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--tasks=-1"],
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--episodes=-3"],
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--steps=-1"],
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--steps", "1000000"],
            ["eval", "--policy", "policies/navigation-2d/maml.safetensors", "--step-size", "-1"],
            ["eval", "--tasks", "0", "--experiment", "navigation-2d"], ["eval", "--experiment", ","],
            ["render", "--width", "100000", "--height", "100000"], ["render", "--format", "gif", "--steps", "1000000"],
            ["train", "--config", "envs/experiments/navigation-2d.yaml", "--iterations", "-5"],
            ["train", "--config", "envs/experiments/navigation-2d.yaml", "--iterations", "0"],
            ["render", "--env", "half-cheetah-vel", "--task", "1e39"], ["bench", "meta-rl", "--iterations", "0"],
            ["demo", "--steps", "-1"], ["eval"], ["train"], [],
        ]
        let options: [(String, [String])] = [
            ("eval", ["--tasks", "--steps", "--episodes", "--seed", "--step-size"]), ("render", ["--steps", "--width", "--height", "--speed", "--adapt-steps", "--seed"]),
            ("train", ["--iterations", "--seed"]), ("demo", ["--steps", "--seed"]), ("bench", ["--iterations"]),
        ]
        let values = ["0", "-1", "-3", "1e39", "nan", "inf", "99999999999999999999", "abc", "", "1000000", "-0", "2.5"]
        while lines.count < 300 {
            let (command, names) = options[Int(rng.next() % UInt64(options.count))]
            var line = command == "bench" ? ["bench", "meta-rl"] : [command]
            if command == "eval" { line += ["--policy", "policies/navigation-2d/maml.safetensors"] }
            if command == "train" { line += ["--config", "envs/experiments/navigation-2d.yaml"] }
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                line += [names[Int(rng.next() % UInt64(names.count))], values[Int(rng.next() % UInt64(values.count))]]
            }
            lines.append(line)
        }
        return lines
    }

    @Test func badCommandLinesAreRejectedByValidation() {
        var rejected = 0
        for line in commandLines() {
            do { _ = try Adapt.parseAsRoot(line) } catch { rejected += 1; #expect(!Adapt.message(for: error).isEmpty, "\(line)") }
        }
        #expect(rejected > 250, "\(rejected) of 300 rejected")
    }

    /// An option of another experiment kind is refused, naming the option, not silently ignored;
    /// so is a config of an unknown kind.
    @Test func optionsOfAnotherKindAreRefused() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let bogus = Self.folder.appendingPathComponent("bogus.yaml")
        try Data("kind: bogus\n".utf8).write(to: bogus)
        func path(_ p: String) -> String { Self.repository.appendingPathComponent(p).path }
        let cases: [([String], String)] = [
            (["train", "--config", path("envs/experiments/navigation-2d.yaml"), "--data", "x"], "--data"),
            (["eval", "--config", path("envs/experiments/sinusoid.yaml"), "--episodes", "3"], "--episodes"),
            (["eval", "--config", path("envs/experiments/sinusoid.yaml"), "--step-size", "0.1"], "--step-size"),
            (["eval", "--policy", path("policies/navigation-2d/maml.safetensors"), "--data", "x"], "--data"),
            (["train", "--config", bogus.path], "unknown kind 'bogus'"),
        ]
        for (line, expected) in cases {
            do {
                var command = try Adapt.parseAsRoot(line)
                try command.run()
                Issue.record("\(line) was accepted")
            } catch {
                #expect(Adapt.message(for: error).contains(expected), "\(line): \(Adapt.message(for: error))")
            }
        }
    }

    /// A sample through the real binary: each ends within its time with exit status 1 or 64 and a
    /// message, never a signal.
    @Test func theBinaryFailsCleanlyOnASample() throws {
        let binary = Self.repository.appendingPathComponent(".build/release/adapt")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first: swift build -c release")
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let config = Self.folder.appendingPathComponent("nan.yaml")
        try Data("kind: meta-rl\nenv: navigation-2d\nenvConfig:\n  resetNoise: .nan\n".utf8).write(to: config)
        let damaged = Self.folder.appendingPathComponent("damaged.safetensors")
        var data = try Data(contentsOf: Self.repository.appendingPathComponent("policies/navigation-2d/maml.safetensors"))
        data[data.count - 5] ^= 0x40
        try data.write(to: damaged)
        let sample: [[String]] = [
            ["train", "--config", config.path, "--out", Self.folder.appendingPathComponent("run").path],
            ["train", "--config", Self.folder.path], ["eval", "--policy", damaged.path, "--tasks", "1"],
            ["render", "--policy", damaged.path, "--format", "png", "--out", Self.folder.appendingPathComponent("x.png").path],
            ["render", "--env", "navigation-2d", "--format", "png", "--steps", "3", "--out", "/nonexistent/x.png"],
            ["train", "--config", "envs/experiments/navigation-2d.yaml", "--resume", "--out", Self.folder.appendingPathComponent("none").path],
        ] + commandLines().prefix(6)
        for arguments in sample {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.currentDirectoryURL = Self.repository
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate(); Issue.record("\(arguments) hung"); continue }
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && [1, 64].contains(process.terminationStatus),
                    "\(arguments): status \(process.terminationStatus) (\(process.terminationReason))")
            #expect(message.hasPrefix("Error: "), "\(arguments): \(message)")
        }
    }
}
