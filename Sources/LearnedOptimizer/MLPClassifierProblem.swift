import NN

/// Training a small classifier as the optimizee (Andrychowicz et al. 2016, §3.2): an MLP with one
/// hidden layer of sigmoid units on 28×28 images, cross-entropy on a fresh mini-batch of 128 at
/// every step. θ holds W₁ [784, h], b₁ [h], W₂ [h, 10], b₂ [10], flattened in that order;
/// weights start N(0, 1/fan_in) (as Sonnet's default, which the authors' code used), biases 0.
/// Which mini-batch step t reads is a function of the problem's seed and t alone.
public struct MLPClassifierProblem: Optimizee {
    public let data: FashionMNIST
    /// The images this problem may draw from (training, validation and test runs use disjoint ones).
    public let rows: Range<Int>
    public let hiddenUnits: Int
    public let batchSize: Int
    public let seed: UInt64
    public let initialPoint: Tensor
    public var problemCount: Int { 1 }

    public init(data: FashionMNIST, rows: Range<Int>, hiddenUnits: Int, batchSize: Int, seed: UInt64) {
        self.data = data
        self.rows = rows
        self.hiddenUnits = hiddenUnits
        self.batchSize = batchSize
        self.seed = seed
        var rng = Xoshiro256(seed: seed)
        let (d, h, k) = (FashionMNIST.pixels, hiddenUnits, FashionMNIST.classCount)
        initialPoint = Tensor.concatenate([
            Tensor.randomNormal([d * h], std: 1 / Float(d).squareRoot(), using: &rng), Tensor.zeros([h]),
            Tensor.randomNormal([h * k], std: 1 / Float(h).squareRoot(), using: &rng), Tensor.zeros([k]),
        ], axis: 0)
    }

    /// The number of coordinates of θ for `hiddenUnits`.
    public static func parameterCount(hiddenUnits h: Int) -> Int {
        FashionMNIST.pixels * h + h + h * FashionMNIST.classCount + FashionMNIST.classCount
    }

    /// The rows of step t's mini-batch (drawn with replacement from `rows`).
    public func batchRows(step: Int) -> [Int] {
        var rng = Xoshiro256(seed: Xoshiro256.seed(seed, iteration: step))
        return (0..<batchSize).map { _ in rows.lowerBound + rng.integer(below: rows.count) }
    }

    /// Mean cross-entropy of step t's mini-batch, [1].
    public func losses(_ theta: Tensor, step: Int) -> Tensor {
        let (x, oneHot) = data.batch(batchRows(step: step))
        let logits = self.logits(x, theta)
        let crossEntropy = -(logits.logSoftmax(axis: 1) * oneHot).sum() / Float(batchSize)
        return crossEntropy.reshaped([1])
    }

    /// The network's outputs for images x [b, 784] at θ.
    public func logits(_ x: Tensor, _ theta: Tensor) -> Tensor {
        let (d, h, k) = (FashionMNIST.pixels, hiddenUnits, FashionMNIST.classCount)
        var offset = 0
        func take(_ shape: [Int]) -> Tensor {
            let n = shape.reduce(1, *)
            defer { offset += n }
            return theta.sliced(axis: 0, offset ..< offset + n).reshaped(shape)
        }
        let w1 = take([d, h]), b1 = take([h]), w2 = take([h, k]), b2 = take([k])
        return Tensor.affine(Tensor.affine(x, w1, b1).sigmoid(), w2, b2)
    }

    /// Accuracy of θ on images `rows` (for reporting only).
    public func accuracy(_ theta: Tensor, on rows: [Int]) -> Double {
        withoutGradients {
            let (x, oneHot) = data.batch(rows)
            let logits = self.logits(x, theta).scalars, k = FashionMNIST.classCount, truth = oneHot.scalars
            let correct = (0..<rows.count).filter { r in
                let row = logits[(r * k)..<((r + 1) * k)]
                let guess = row.indices.max { row[$0] < row[$1] }! - r * k
                return truth[r * k + guess] == 1
            }.count
            return Double(correct) / Double(max(rows.count, 1))
        }
    }
}
