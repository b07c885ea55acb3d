import ArgumentParser
import Cluster
import Foundation

/// The `adapt` command: trains, evaluates, renders and benchmarks meta-learners. Each subcommand
/// lives in its own file.
@main
struct Adapt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapt",
        abstract: "Model-agnostic meta-learning (MAML) for reinforcement and supervised learning.",
        subcommands: [DemoCommand.self, TrainCommand.self, EvalCommand.self, RenderCommand.self, Bench.self, DataCommand.self]
    )

    /// Runs the command; a file-system error is reported as the path and the reason (not as an
    /// NSError dump), and every error exits non-zero. Launched as MPI ranks (`mpirun`, `srun`), only
    /// commands that share their work among ranks run, and a rank that fails ends the whole job
    /// with its message rather than leave the others waiting.
    static func main() {
        let cluster = Cluster.world
        do {
            var command = try parseAsRoot()
            if !(command is SharedAmongRanks) { try cluster.requireSingleRank("adapt \(type(of: command).configuration.commandName ?? "")") }
            try command.run()
            cluster.finish()
        } catch {
            let error = (error as? CocoaError).map(FileFailure.init) ?? error
            let code = exitCode(for: error)
            if cluster.usesMPI && !code.isSuccess {
                FileHandle.standardError.write(Data("MPI rank \(cluster.rank) of \(cluster.size): \(fullMessage(for: error))\n".utf8))
                cluster.abort(code: code.rawValue)
            }
            cluster.finish()
            exit(withError: error)
        }
    }
}

/// A command that runs under `mpirun`/`srun` as several ranks, sharing its tasks among them; every
/// other command refuses to run as more than one rank (each would do the whole job and write the
/// same files).
protocol SharedAmongRanks {}

/// A file-system error as a user reads it: the path and what went wrong.
struct FileFailure: Error, CustomStringConvertible {
    let description: String

    init(_ error: CocoaError) {
        let path = error.filePath ?? (error.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
        let reason: String
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "no such file or folder"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "permission denied"
        case .fileWriteVolumeReadOnly: reason = "the file system is read-only"
        case .fileWriteOutOfSpace: reason = "no space left on the device"
        default: reason = (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? error.localizedDescription
        }
        description = "cannot use \(path): \(reason)"
    }
}
