import Foundation
import NN

/// Timing for `adapt bench`: a warm-up, then the median of several timed repetitions.
enum Measure {
    /// Median seconds per call of `body`.
    static func median(repetitions: Int = 15, warmUp: Int = 3, _ body: () -> Void) -> Double {
        for _ in 0..<warmUp { body() }
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        }
        return times.sorted()[times.count / 2]
    }

    /// Prints `report`, with the machine it was measured on (CPU model, BLAS kernel), as pretty
    /// JSON with sorted keys or as aligned "key: value" lines.
    static func print<T: Encodable>(_ report: T, json: Bool) throws {
        let object = try withMachine(report)
        if json {
            Swift.print(String(decoding: try data(object), as: UTF8.self))
        } else {
            printLines(object, indent: "")
        }
    }

    /// `report` as the pretty JSON `print` shows, for a results file.
    static func json<T: Encodable>(_ report: T) throws -> Data { try data(try withMachine(report)) }

    private static func withMachine<T: Encodable>(_ report: T) throws -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard var object = try JSONSerialization.jsonObject(with: try encoder.encode(report)) as? [String: Any] else { return [:] }
        object["machine"] = ["cpu": Machine.cpuModel, "blas_kernel": BLAS.kernel, "blas_kernel_choice": BLAS.kernelChoice,
                             "blas_kernel_verified": BLAS.kernelVerified]
        return object
    }

    private static func data(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    private static func printLines(_ object: [String: Any], indent: String) {
        for key in object.keys.sorted() {
            if let nested = object[key] as? [String: Any] {
                Swift.print("\(indent)\(key):")
                printLines(nested, indent: indent + "  ")
            } else {
                Swift.print("\(indent)\(key): \(object[key]!)")
            }
        }
    }
}

/// The machine a figure was measured on.
enum Machine {
    /// The processor's model name from /proc/cpuinfo ("unknown" where there is none).
    static var cpuModel: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}
