import ArgumentParser

/// Option range checks for `validate()`: an error names the option, the value and what is
/// allowed. The bounds keep every command's time and memory finite.
enum Limits {
    static func check<T: Comparable>(_ option: String, _ value: T?, in range: ClosedRange<T>) throws {
        guard let value else { return }
        guard range.contains(value) else {
            throw ValidationError("\(option) \(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
    }

    static func checkPositive<T: BinaryFloatingPoint>(_ option: String, _ value: T, atMost upper: T) throws {
        guard value > 0, value <= upper else { throw ValidationError("\(option) \(value) must be positive and at most \(upper)") }
    }
}
