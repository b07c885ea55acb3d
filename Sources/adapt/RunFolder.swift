import ArgumentParser
import Foundation

/// A training run's folder: a new run never overwrites an old one, and `--resume` needs a
/// checkpoint to resume from. The same rule for every experiment kind.
enum RunFolder {
    static func requireUsable(_ folder: URL, resume: Bool) throws {
        let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.safetensors").path)
        if resume && !exists { throw ValidationError("--resume: no checkpoint in \(folder.path)") }
        if !resume && exists {
            throw ValidationError("\(folder.path) already holds a run: pass --resume to continue it, or another --out")
        }
    }

    /// Checks the folder, creates it and records the config the run trains with.
    static func prepare(_ folder: URL, config: String, resume: Bool) throws {
        try requireUsable(folder, resume: resume)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try config.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
    }
}
