import Foundation
import Testing
@testable import Cluster

/// The single-rank side of `Cluster` (what every plain `adapt` run uses) and the task split that
/// every rank count relies on; several ranks are exercised through the real binary under mpirun
/// in AdaptTests/MPITests.swift.
@Suite struct ClusterTests {
    @Test func aPlainLaunchIsOneRankWithoutMPI() {
        let cluster = Cluster(environment: ["PATH": "/usr/bin"])
        #expect(cluster.rank == 0 && cluster.size == 1 && !cluster.usesMPI && cluster.isRoot)
        #expect(cluster.share(of: 7) == 0..<7)
        #expect(cluster.allGather([1.5, 2.5] as [Float]) == [1.5, 2.5])
        #expect(cluster.map(3, length: 2) { mine in mine.map { [Double($0), -Double($0)] } } == [[0, -0], [1, -1], [2, -2]])
        #expect(throws: Never.self) { try cluster.requireAgreement(on: [1, 2, 3] as [Int], what: "θ") }
        #expect(throws: Never.self) { try cluster.requireSingleRank("anything") }
    }

    /// Contiguous blocks in rank order that cover every item once, sizes within one of each other,
    /// rank 0's never empty: for every count of items and ranks a job might have.
    @Test(arguments: 1...9) func sharesPartitionTheItemsInOrder(size: Int) {
        for count in 0...50 {
            let shares = (0..<size).map { Cluster.shareOf(count, rank: $0, size: size) }
            #expect(shares.flatMap { Array($0) } == Array(0..<count), "\(count) items on \(size) ranks: \(shares)")
            let sizes = shares.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1)
            if count > 0 { #expect(!shares[0].isEmpty) }
        }
    }

    @Test func theHashSeesEveryBit() {
        let values: [Float] = [0.1, -2, 3e-8]
        var flipped = values
        flipped[2] = Float(bitPattern: values[2].bitPattern ^ 1)
        #expect(Cluster.hash(values) == Cluster.hash(values))
        #expect(Cluster.hash(values) != Cluster.hash(flipped))
        #expect(Cluster.hash([Float]()) != Cluster.hash([Float(0)]))
    }
}
