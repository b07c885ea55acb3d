import ArgumentParser
import Foundation

/// The `adapt` command: trains, evaluates, renders and benchmarks meta-learners. Each subcommand
/// lives in its own file.
@main
struct Adapt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapt",
        abstract: "Model-agnostic meta-learning (MAML) for reinforcement and supervised learning.",
        subcommands: [DemoCommand.self, TrainCommand.self, EvalCommand.self, RenderCommand.self, Bench.self]
    )

    /// Runs the command; a file-system error is reported as the path and the reason (not as an
    /// NSError dump), and every error exits non-zero.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as CocoaError {
            exit(withError: FileFailure(error))
        } catch {
            exit(withError: error)
        }
    }
}

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
