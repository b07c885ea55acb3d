import CMPI
import Foundation

/// The processes of one job, ranks 0..<size. Launched by `mpirun` or `srun`, a process joins the
/// job through MPI; launched plainly it is the only rank and makes no MPI call at all (no daemon,
/// no MPI environment needed).
///
/// Work is split by items (the tasks of a meta-batch): each rank computes a contiguous block, and
/// every result travels to every rank in item order. Sums are then taken by every rank over the
/// same list in the same order, so N ranks compute bit for bit what one process computes; an
/// `MPI_Allreduce` would sum in an order that depends on the rank count.
public final class Cluster: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Whether this process called `MPI_Init` (and must finalize or abort).
    public let usesMPI: Bool
    private var finished = false
    /// Bytes this rank has received from gathers so far (what the network carries, for `adapt bench`).
    public private(set) var bytesGathered = 0

    /// This process's job, set up on first use.
    public static let world = Cluster(environment: ProcessInfo.processInfo.environment)

    /// Variables a launcher sets for the processes it starts: OpenMPI's `mpirun`, PMIx (`srun
    /// --mpi=pmix`) and PMI-2 (`srun --mpi=pmi2`, MPICH's launchers).
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]

    init(environment: [String: String]) {
        if Self.launcherVariables.contains(where: { environment[$0] != nil }) {
            // The default error handler aborts the job if this fails, so there is nothing to check.
            _ = adapt_mpi_init()
            (rank, size, usesMPI) = (Int(adapt_mpi_rank()), Int(adapt_mpi_size()), true)
        } else {
            (rank, size, usesMPI) = (0, 1, false)
        }
    }

    public var isRoot: Bool { rank == 0 }

    /// The items of 0..<count this rank computes: contiguous blocks in rank order, sizes differing
    /// by at most one, rank 0's first and never empty (when there are more ranks than items, the
    /// last ranks get none).
    public func share(of count: Int) -> Range<Int> { Self.shareOf(count, rank: rank, size: size) }

    static func shareOf(_ count: Int, rank: Int, size: Int) -> Range<Int> {
        func start(_ r: Int) -> Int { (count * r + size - 1) / size }
        return start(rank) ..< start(rank + 1)
    }

    /// The most bytes one gather or broadcast carries (MPI counts are 32-bit): callers check
    /// their sizes against it where they are configured, so that no call exceeds it.
    public static let messageLimit = Int(Int32.max)

    /// Every rank's `local` values, concatenated in rank order, on every rank; at most
    /// `messageLimit` bytes in all.
    public func allGather<T: BitwiseCopyable>(_ local: [T]) -> [T] {
        guard size > 1 else { return local }
        let stride = MemoryLayout<T>.stride
        var counts = [Int32](repeating: 0, count: size)
        _ = adapt_mpi_allgather_count(Int32(local.count * stride), &counts)
        let total = counts.reduce(0) { $0 + Int($1) }
        precondition(total <= Self.messageLimit, "Cluster.allGather: \(total) bytes exceed the message limit")
        bytesGathered += total
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<size { displacements[r] = displacements[r - 1] + counts[r - 1] }
        return [T](unsafeUninitializedCapacity: total / stride) { buffer, initialized in
            local.withUnsafeBytes { send in
                _ = adapt_mpi_allgatherv_bytes(send.baseAddress, Int32(send.count), buffer.baseAddress, counts, displacements)
            }
            initialized = total / stride
        }
    }

    /// `compute(share)` gives this rank's items of 0..<count, each `length` values long; returns
    /// all `count` items, in item order, on every rank.
    public func map<T: BitwiseCopyable>(_ count: Int, length: Int, _ compute: (Range<Int>) throws -> [[T]]) rethrows -> [[T]] {
        gather(try compute(share(of: count)), count: count, length: length)
    }

    /// This rank's items of 0..<count (its `share`, each `length` values long), and every other
    /// rank's: all `count` items, in item order, on every rank.
    public func gather<T: BitwiseCopyable>(_ local: [[T]], count: Int, length: Int) -> [[T]] {
        precondition(local.count == share(of: count).count && local.allSatisfy { $0.count == length }, "Cluster.gather: items of the wrong shape")
        guard size > 1 else { return local }
        let all = allGather(local.flatMap { $0 })
        return (0..<count).map { Array(all[$0 * length ..< ($0 + 1) * length]) }
    }

    /// Root's bytes on every rank (root's `data` is sent; the others' is ignored).
    public func broadcast(_ data: Data, from root: Int = 0) throws -> Data {
        guard size > 1 else { return data }
        guard data.count <= Self.messageLimit else { throw ClusterError.tooLarge(bytes: data.count, what: "a broadcast") }
        var length = [Int32(rank == root ? data.count : 0)]
        length.withUnsafeMutableBytes { _ = adapt_mpi_broadcast_bytes($0.baseAddress, Int32($0.count), Int32(root)) }
        var bytes = rank == root ? [UInt8](data) : [UInt8](repeating: 0, count: Int(length[0]))
        bytes.withUnsafeMutableBytes { _ = adapt_mpi_broadcast_bytes($0.baseAddress, Int32($0.count), Int32(root)) }
        return Data(bytes)
    }

    /// Throws on every rank unless every rank holds the same `values` as rank 0 (compared by a
    /// 64-bit hash): ranks that drifted apart must stop, not go on training different models.
    public func requireAgreement<T: BitwiseCopyable>(on values: [T], what: String) throws {
        guard size > 1 else { return }
        let hashes = allGather([Self.hash(values)])
        let differing = hashes.indices.filter { hashes[$0] != hashes[0] }
        if !differing.isEmpty { throw ClusterError.disagreement(what: what, ranks: differing, size: size) }
    }

    /// FNV-1a over the bytes.
    static func hash<T: BitwiseCopyable>(_ values: [T]) -> UInt64 {
        values.withUnsafeBytes { $0.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }
    }

    /// Refuses to go on with more than one rank: `what` runs on one process only.
    public func requireSingleRank(_ what: String) throws {
        if size > 1 { throw ClusterError.singleRankOnly(what: what, size: size) }
    }

    /// Ends MPI after a successful run (a process that leaves without it fails the job).
    public func finish() {
        guard usesMPI, !finished else { return }
        finished = true
        _ = adapt_mpi_finalize()
    }

    /// Ends every rank of the job now, with `code` as mpirun's exit status: a rank that failed
    /// must not leave the others waiting in a collective call forever.
    public func abort(code: Int32) -> Never {
        adapt_mpi_abort(code)
        exit(code)
    }
}

public enum ClusterError: Error, CustomStringConvertible {
    case tooLarge(bytes: Int, what: String)
    case disagreement(what: String, ranks: [Int], size: Int)
    case singleRankOnly(what: String, size: Int)

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let what): "\(what) makes \(bytes) bytes in one MPI call, more than its limit of \(Cluster.messageLimit)"
        case .disagreement(let what, let ranks, let size):
            "ranks \(ranks.map(String.init).joined(separator: ", ")) of \(size) hold a different \(what) than rank 0; "
                + "stopping the job (resume from the last checkpoint)"
        case .singleRankOnly(let what, let size):
            "\(what) runs on one process; it was launched as \(size) MPI ranks (run it without mpirun, or with -np 1)"
        }
    }
}
