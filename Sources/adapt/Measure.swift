import Foundation

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

    /// Prints `report` as pretty JSON with sorted keys, or as aligned "key: value" lines.
    static func print<T: Encodable>(_ report: T, json: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = json ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(report)
        if json {
            Swift.print(String(decoding: data, as: UTF8.self))
        } else if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            printLines(object, indent: "")
        }
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
