import Foundation
import Physics

/// Finds robot files in `envs/robots/` and parses each once per process (envs are built often, e.g. one
/// per vectorised copy; parsing YAML costs milliseconds, rebuilding a world microseconds).
public enum RobotFiles {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Physics.Morphology] = [:]

    /// The morphology `name` (`envs/robots/<name>.yaml`, `.yml` or `.json`).
    public static func morphology(_ name: String, directory: String? = nil) throws -> Physics.Morphology {
        let path = try locate(name, directory: directory)
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[path] { return cached }
        let parsed = try Physics.Morphology.load(file: path)
        cache[path] = parsed
        return parsed
    }

    /// Directories searched, in order: `directory`, `$ADAPT_ENVS_DIR`, `./envs`, the source tree's `envs/`.
    public static func searchPath(_ directory: String? = nil) -> [String] {
        var dirs: [String] = []
        if let directory { dirs.append(directory) }
        if let env = ProcessInfo.processInfo.environment["ADAPT_ENVS_DIR"] { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/envs")
        // Sources/Envs/RobotFiles.swift → <package>/envs
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("envs").path
        dirs.append(source)
        return dirs
    }

    static func locate(_ name: String, directory: String?) throws -> String {
        let dirs = searchPath(directory)
        for dir in dirs.flatMap({ [$0 + "/robots", $0] }) {
            for ext in ["yaml", "yml", "json"] {
                let path = "\(dir)/\(name).\(ext)"
                if FileManager.default.fileExists(atPath: path) { return path }
            }
        }
        throw EnvError.robotNotFound(name: name, searched: dirs.flatMap { [$0 + "/robots", $0] })
    }
}
