import Cluster
import Parallel

extension Cluster {
    /// `body(i, worker)` for this rank's share of the tasks 0..<count, on `workers` threads; then
    /// every task's `length` values, on every rank in task order.
    func parallelMap<T: BitwiseCopyable>(_ count: Int, workers: Int, length: Int, _ body: (_ task: Int, _ worker: Int) throws -> [T]) rethrows -> [[T]] {
        try map(count, length: length) { mine in
            try Parallel.parallelMap(mine.count, workers: workers) { j, worker in try body(mine.lowerBound + j, worker) }
        }
    }
}
