/// Range checks for `validate()`: one line per key, and an error that names the key, the bad value
/// and what is allowed. A NaN lies in no range, and the ranges are finite, so these also reject
/// NaN and infinity.
extension ConfigError {
    /// Throws unless `value` lies in `range`.
    public static func check<T: Comparable>(_ key: String, _ value: T, in range: ClosedRange<T>, _ meaning: String = "") throws {
        guard range.contains(value) else {
            throw ConfigError.invalid(key: key, "\(value) is outside \(range.lowerBound)…\(range.upperBound)\(meaning.isEmpty ? "" : " (\(meaning))")")
        }
    }

    /// Throws unless every element lies in `range`.
    public static func check<T: Comparable>(_ key: String, _ values: [T], in range: ClosedRange<T>, _ meaning: String = "") throws {
        for value in values { try check(key, value, in: range, meaning) }
    }

    /// Throws unless `value` is a finite positive number no larger than `upper`.
    public static func checkPositive<T: BinaryFloatingPoint>(_ key: String, _ value: T, atMost upper: T) throws {
        guard value > 0, value <= upper else {
            throw ConfigError.invalid(key: key, "\(value) must be positive and at most \(upper)")
        }
    }

    /// Throws unless `range` is [low, high] with finite low ≤ high inside `bounds`.
    public static func checkInterval<T: BinaryFloatingPoint>(_ key: String, _ range: [T], within bounds: ClosedRange<T>) throws {
        guard range.count == 2, bounds.contains(range[0]), bounds.contains(range[1]), range[0] <= range[1] else {
            throw ConfigError.invalid(key: key, "expected [low, high] with low ≤ high, both in \(bounds.lowerBound)…\(bounds.upperBound); got \(range)")
        }
    }
}
