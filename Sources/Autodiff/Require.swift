/// Stops with `message` when `condition` is false, in every build configuration.
///
/// The standard `precondition` drops its message in optimised builds; a shape mismatch must say
/// which op and which shapes, so tensor code checks its inputs with this instead.
@inline(__always)
public func require(_ condition: Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError(message(), file: file, line: line) }
}
