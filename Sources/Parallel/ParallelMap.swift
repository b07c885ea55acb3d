import Dispatch
import Synchronization

/// `body(i, worker)` for i in 0..<count on `workers` threads, results in index order. Each
/// thread takes the next unclaimed index when it is free, so tasks of unequal cost (episodes that
/// end early) still keep every core busy; `worker` names the thread, for per-thread scratch
/// (env copies, buffers). Work items must not depend on which worker ran them.
public func parallelMap<T>(_ count: Int, workers: Int, _ body: (Int, Int) throws -> T) rethrows -> [T] {
    let workers = max(1, min(workers, count))
    if workers == 1 { return try (0..<count).map { try body($0, 0) } }
    var results = [Result<T, Error>?](repeating: nil, count: count)
    let next = Atomic<Int>(0)
    results.withUnsafeMutableBufferPointer { slots in
        let output = UnsafeSendable(slots)
        withoutActuallyEscaping(body) { body in
            let work = UnsafeSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                while case let i = next.add(1, ordering: .relaxed).oldValue, i < count {
                    output.value[i] = Result { try work.value(i, w) }
                }
            }
        }
    }
    return try results.map { try $0!.get() }
}

/// A value handed to worker threads that the caller guarantees are used safely.
public struct UnsafeSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
