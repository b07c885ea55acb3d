import Foundation
import NN
import Testing

/// The built `adapt` under OpenMPI's `mpirun`: N ranks train and evaluate bit for bit as one
/// process does (checkpoint tensors, progress.csv but its wall times, comparison.json), resume
/// under MPI, and a rank that fails ends the whole job quickly with its message.
@Suite(.serialized) struct MPITests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = repository.appendingPathComponent(".build/release/adapt")
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adapt-mpi-\(UUID().uuidString)")
    /// progress.csv's columns that time the run rather than compute it.
    static let timingColumns: Set = ["sampling_s", "adaptation_s", "meta_update_s", "wall_s"]

    /// Two iterations of tiny meta-batches, on a cheap env and on a Box2D robot.
    static let configs = [
        "navigation-2d": "kind: meta-rl\nenv: navigation-2d\nepisodesPerTask: 4\nmetaBatchSize: 5\ninnerStepSize: 0.5\niterations: 2\ncheckpointEvery: 1\n",
        "half-cheetah-vel": "kind: meta-rl\nenv: half-cheetah-vel\nepisodesPerTask: 2\nmetaBatchSize: 5\niterations: 2\ncheckpointEvery: 1\n",
    ]

    @Test(arguments: ["navigation-2d", "half-cheetah-vel"]) func threeRanksTrainAsOneProcessDoes(env: String) throws {
        let config = try Self.write(Self.configs[env]!, as: "\(env).yaml")
        let one = Self.folder.appendingPathComponent("\(env)-1"), three = Self.folder.appendingPathComponent("\(env)-3")
        let train = ["train", "--config", config.path, "--seed", "7", "--quiet"]
        try Self.expectSuccess(try Self.run(train + ["--out", one.path]))
        try Self.expectSuccess(try Self.run(train + ["--out", three.path], ranks: 3))
        try Self.expectSameRun(one, three)

        // Interrupted after one iteration and resumed under MPI: the same numbers again.
        let resumed = Self.folder.appendingPathComponent("\(env)-resumed")
        try Self.expectSuccess(try Self.run(train + ["--out", resumed.path, "--iterations", "1"], ranks: 3))
        try Self.expectSuccess(try Self.run(train + ["--out", resumed.path, "--resume"], ranks: 2))
        try Self.expectSameRun(one, resumed)
    }

    @Test func threeRanksEvaluateAsOneProcessDoes() throws {
        let eval = ["eval", "--experiment", "navigation-2d", "--tasks", "5", "--steps", "1", "--episodes", "2", "--json"]
        let one = Self.folder.appendingPathComponent("eval-1"), three = Self.folder.appendingPathComponent("eval-3")
        try Self.expectSuccess(try Self.run(eval + ["--out", one.path]))
        try Self.expectSuccess(try Self.run(eval + ["--out", three.path], ranks: 3))
        let json = { (run: URL) in try Data(contentsOf: run.appendingPathComponent("comparison.json")) }
        #expect(try json(one) == json(three))
        #expect(try json(one).count > 1000)
    }

    /// One rank of three cannot read its config (as on a node without the file): the job ends
    /// with that rank's message and a non-zero status while the others would be training.
    @Test func aFailingRankEndsTheJobWithItsMessage() throws {
        let config = try Self.write(Self.configs["half-cheetah-vel"]!, as: "fail.yaml")
        let out = Self.folder.appendingPathComponent("fail").path
        let good = ["train", "--config", config.path, "--iterations", "50", "--quiet", "--out", out]
        let bad = ["train", "--config", "/nonexistent/missing.yaml", "--quiet", "--out", out]
        let result = try Self.run(launch: ["-np", "2", Self.binary.path] + good + [":", "-np", "1", Self.binary.path] + bad)
        #expect(result.status != 0)
        #expect(result.seconds < 30)
        #expect(result.errors.contains("MPI rank 2 of 3: Error: /nonexistent/missing.yaml"), "\(result.errors)")
    }

    /// Commands that do not share their work refuse several ranks (each would write the same files).
    @Test func singleProcessCommandsRefuseSeveralRanks() throws {
        let result = try Self.run(["train", "--config", "envs/experiments/sinusoid.yaml", "--out", Self.folder.appendingPathComponent("s").path], ranks: 2)
        #expect(result.status != 0)
        #expect(result.errors.contains("training of kind sinusoid runs on one process"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent("s").path))
    }

    // MARK: - Helpers

    struct Outcome { let status: Int32; let errors: String; let seconds: Double }

    static func write(_ text: String, as name: String) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// `adapt arguments` as a plain process (ranks nil) or as `ranks` MPI ranks.
    static func run(_ arguments: [String], ranks: Int? = nil) throws -> Outcome {
        guard let ranks else { return try run(executable: binary, arguments) }
        return try run(launch: ["-np", String(ranks), binary.path] + arguments)
    }

    /// mpirun with `arguments` after its common options: ranks may outnumber cores, each rank may
    /// use both cores' threads, and CI runs as root.
    static func run(launch arguments: [String]) throws -> Outcome {
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].map(URL.init(fileURLWithPath:))
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let launcher = try #require(mpirun, "mpirun not found: apt-get install openmpi-bin")
        return try run(executable: launcher, ["--oversubscribe", "--bind-to", "none"] + arguments,
                       environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
    }

    static func run(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first: swift build -c release")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = repository
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, errors: text, seconds: Date().timeIntervalSince(start))
    }

    static func expectSuccess(_ outcome: Outcome) throws {
        try #require(outcome.status == 0, "exit \(outcome.status): \(outcome.errors)")
    }

    /// Same checkpoint tensors, bit for bit, and the same progress.csv but for its timings.
    static func expectSameRun(_ a: URL, _ b: URL) throws {
        let checkpoint = { (run: URL) in try Safetensors.read(run.appendingPathComponent("checkpoint.safetensors")).tensors }
        let (x, y) = (try checkpoint(a), try checkpoint(b))
        #expect(x.names == y.names)
        for (name, (s, t)) in zip(x.names, zip(x.tensors, y.tensors)) {
            #expect(s.shape == t.shape && s.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern), "\(name) differs")
        }
        let progress = { (run: URL) throws -> [[String]] in
            let rows = try String(contentsOf: run.appendingPathComponent("progress.csv"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let kept = rows[0].indices.filter { !timingColumns.contains(rows[0][$0]) }
            return rows.map { row in kept.map { row[$0] } }
        }
        let (p, q) = (try progress(a), try progress(b))
        #expect(p.count == 3 && p == q, "\(p)\nvs\n\(q)")
    }
}
