/// An MLP's forward pass on one batch of rows, kept so that exact first- and second-order
/// products can be taken on it many times without building a graph: the gradient of a loss from
/// its derivative in the outputs (backpropagation), Hessian-vector products of the loss
/// (Pearlmutter 1994, "Fast exact multiplication by the Hessian": the R-operator applied to
/// backpropagation) and Gauss–Newton products Jᵀ M J v of the outputs' Jacobian J. The rules are
/// hand-derived for `Linear` layers and `Activation`s and every matrix product goes through BLAS.
/// The autodiff (`MLP` on tracked tensors) is the reference they are tested against.
///
/// Products run over blocks of `blockRows` rows, so that their intermediate values stay in the
/// core's cache and the kept pass is read from memory once per product: with a meta-batch of
/// tapes far larger than any cache, memory traffic, not arithmetic, is what a product costs
/// otherwise. Weight gradients accumulate block after block in a fixed order.
///
/// Parameters are flat vectors in `Parameters.flattened()` order of `mlp.initialParameters`:
/// `layer1.weight` ([in, out], row-major), `layer1.bias`, `layer2.weight`, …
public final class MLPTape: @unchecked Sendable {
    public let mlp: MLP
    /// Rows of the batch on the tape.
    public private(set) var rows = 0
    /// Rows per block of a product: 256 rows of a 100-wide network are 100 KB per buffer, a few
    /// of which fit a core's L2 cache, while each block's matrix products are still large enough
    /// for BLAS to run near its peak. A constant, so results do not depend on the machine.
    public static let blockRows = 256

    private let offsets: [(weight: Int, bias: Int)]
    private let parameterCount: Int
    private var capacity = 0
    private var arena: UnsafeMutablePointer<Float>?
    /// A_l, the input of layer l+1 (A_0 = X), for l = 0..<L.
    private var inputs: [UnsafeMutablePointer<Float>] = []
    /// Z_l of hidden layers (index l − 1), kept only where φ′ cannot be read off A_l (SiLU).
    private var preActivations: [UnsafeMutablePointer<Float>?] = []
    /// The outputs Z_L.
    private var output = UnsafeMutablePointer<Float>(bitPattern: 8)!
    /// The last backward pass: G_l = ∂ℓ/∂Z_l for l = 1...L (index l − 1), and D_l = ∂ℓ/∂A_l of
    /// hidden layers (index l − 1), which the Hessian's curvature term reads.
    private var outputGradients: [UnsafeMutablePointer<Float>] = []
    private var activationGradients: [UnsafeMutablePointer<Float>] = []

    public init(mlp: MLP) {
        self.mlp = mlp
        (offsets, parameterCount) = mlp.flatLayout
    }

    deinit { arena?.deallocate() }

    private var depth: Int { mlp.layers.count }
    private var activation: Activation { mlp.activation }

    /// The outputs as a buffer of rows × outputSize.
    public var outputs: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: output, count: rows * mlp.outputSize) }

    // MARK: - Forward and backward

    /// Runs the network at `parameters` on `rows` rows of `input` (rows × inputSize) and keeps
    /// every layer's input.
    public func forward(_ parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int) {
        reserve(rows)
        self.rows = rows
        inputs[0].update(from: input, count: rows * mlp.inputSize)
        for l in 0..<depth {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let z = l == depth - 1 ? output : inputs[l + 1]
            fillRows(z, rows: rows, width: fanOut, with: parameters + offsets[l].bias)
            BLAS.gemm(m: rows, n: fanOut, k: fanIn, inputs[l], lda: fanIn, parameters + offsets[l].weight, ldb: fanOut,
                      beta: 1, z, ldc: fanOut)
            if l < depth - 1 {
                preActivations[l]?.update(from: z, count: rows * fanOut)
                activation.apply(z, count: rows * fanOut)
            }
        }
    }

    /// Backpropagates `outputGradient` (rows × outputSize, ∂ℓ/∂outputs) and writes ∂ℓ/∂θ into
    /// `gradient`. The pass stays on the tape for `hessianProduct`.
    public func backward(_ parameters: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         into gradient: UnsafeMutablePointer<Float>) {
        outputGradients[depth - 1].update(from: outputGradient, count: rows * mlp.outputSize)
        clear(gradient)
        backpropagate(parameters, rows: 0..<rows, gradients: outputGradients, activationGradients: activationGradients, into: gradient)
    }

    /// Gⱼ → ∂ℓ/∂W_l, ∂ℓ/∂b_l (added to `result`) and G_{l−1}, last layer first, on a block of rows.
    /// `gradients` and `activationGradients` are indexed by row from the block's first row.
    private func backpropagate(_ parameters: UnsafePointer<Float>, rows block: Range<Int>, gradients: [UnsafeMutablePointer<Float>],
                               activationGradients: [UnsafeMutablePointer<Float>], into result: UnsafeMutablePointer<Float>) {
        let n = block.count
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let g = gradients[l]
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: n, inputs[l] + block.lowerBound * fanIn, lda: fanIn, g, ldb: fanOut,
                      beta: 1, result + offsets[l].weight, ldc: fanOut)
            addRowSums(g, rows: n, width: fanOut, into: result + offsets[l].bias)
            guard l > 0 else { break }
            let d = activationGradients[l - 1]
            BLAS.gemm(transposeB: true, m: n, n: fanIn, k: fanOut, g, lda: fanOut, parameters + offsets[l].weight, ldb: fanOut,
                      d, ldc: fanIn)
            activation.slopeTimes(d, outputs: inputs[l] + block.lowerBound * fanIn, inputs: preActivations[l - 1].map { $0 + block.lowerBound * fanIn },
                                  count: n * fanIn, into: gradients[l - 1])
        }
    }

    // MARK: - Second order

    /// H v: the Hessian in θ of the last `backward`'s loss ℓ times v, by the R-operator. The loss
    /// supplies its own part block by block: `outputCurvature(rows, R{outputs}, R{∂ℓ/∂outputs})`
    /// writes R{∂ℓ/∂outputs} for those rows (blocks × outputSize) from R{outputs} = J v.
    public func hessianProduct(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                               workspace: Workspace,
                               outputCurvature: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        blockByBlock(parameters, v, into: result, workspace: workspace, output: outputCurvature) { block in
            rBackpropagate(parameters, v, rows: block, workspace: workspace, into: result)
        }
    }

    /// Jᵀ M J v, J the outputs' Jacobian in θ: the loss supplies M block by block,
    /// `outputMetric(rows, J v, M J v)` (blocks × outputSize).
    public func gaussNewtonProduct(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                                   workspace: Workspace,
                                   outputMetric: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        blockByBlock(parameters, v, into: result, workspace: workspace, output: outputMetric) { block in
            let gradients = (0..<depth).map { l in l == depth - 1 ? workspace.rOutputGradient : workspace.pingPong[l % 2] }
            backpropagate(parameters, rows: block, gradients: gradients,
                          activationGradients: Array(repeating: workspace.rActivationGradient, count: depth - 1), into: result)
        }
    }

    /// For each block: J v, the loss's part at the outputs, then `backward` accumulating into `result`.
    private func blockByBlock(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                              workspace: Workspace, output: (Range<Int>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
                              backward: (Range<Int>) -> Void) {
        workspace.reserve(for: mlp)
        clear(result)
        for block in blocks {
            jacobianProduct(parameters, v, rows: block, workspace: workspace)
            output(block, workspace.rOutput, workspace.rOutputGradient)
            backward(block)
        }
    }

    private var blocks: [Range<Int>] {
        stride(from: 0, to: rows, by: Self.blockRows).map { $0 ..< Swift.min($0 + Self.blockRows, rows) }
    }

    /// R{Z_l} = A_{l−1} V_l + v_b + R{A_{l−1}} W_l and R{A_l} = φ′ ⊙ R{Z_l} on a block of rows; the
    /// outputs' R{Z_L} = J v lands in `workspace.rOutput`.
    private func jacobianProduct(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, rows block: Range<Int>, workspace: Workspace) {
        let n = block.count
        for l in 0..<depth {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let rz = l == depth - 1 ? workspace.rOutput : workspace.rPreActivations[l]
            fillRows(rz, rows: n, width: fanOut, with: v + offsets[l].bias)
            BLAS.gemm(m: n, n: fanOut, k: fanIn, inputs[l] + block.lowerBound * fanIn, lda: fanIn, v + offsets[l].weight, ldb: fanOut,
                      beta: 1, rz, ldc: fanOut)
            if l > 0 {
                BLAS.gemm(m: n, n: fanOut, k: fanIn, workspace.rActivations[l - 1], lda: fanIn, parameters + offsets[l].weight,
                          ldb: fanOut, beta: 1, rz, ldc: fanOut)
            }
            if l < depth - 1 {
                activation.slopeTimes(rz, outputs: inputs[l + 1] + block.lowerBound * fanOut,
                                      inputs: preActivations[l].map { $0 + block.lowerBound * fanOut }, count: n * fanOut,
                                      into: workspace.rActivations[l])
            }
        }
    }

    /// The R-operator on the kept backward pass, for a block of rows, from R{G_L} in
    /// `workspace.rOutputGradient`: R{∂ℓ/∂W_l} = R{A_{l−1}}ᵀ G_l + A_{l−1}ᵀ R{G_l},
    /// R{D_{l−1}} = R{G_l} W_lᵀ + G_l V_lᵀ, R{G_{l−1}} = R{D_{l−1}} ⊙ φ′ + D_{l−1} ⊙ φ″ ⊙ R{Z_{l−1}}.
    private func rBackpropagate(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, rows block: Range<Int>,
                                workspace: Workspace, into result: UnsafeMutablePointer<Float>) {
        let n = block.count
        var rg = workspace.rOutputGradient
        var current = 0
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let g = outputGradients[l] + block.lowerBound * fanOut
            let weight = result + offsets[l].weight
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: n, inputs[l] + block.lowerBound * fanIn, lda: fanIn, rg, ldb: fanOut,
                      beta: 1, weight, ldc: fanOut)
            addRowSums(rg, rows: n, width: fanOut, into: result + offsets[l].bias)
            guard l > 0 else { break }
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: n, workspace.rActivations[l - 1], lda: fanIn, g, ldb: fanOut,
                      beta: 1, weight, ldc: fanOut)
            let rd = workspace.rActivationGradient
            BLAS.gemm(transposeB: true, m: n, n: fanIn, k: fanOut, rg, lda: fanOut, parameters + offsets[l].weight, ldb: fanOut, rd, ldc: fanIn)
            BLAS.gemm(transposeB: true, m: n, n: fanIn, k: fanOut, g, lda: fanOut, v + offsets[l].weight, ldb: fanOut, beta: 1, rd, ldc: fanIn)
            let next = workspace.pingPong[current]
            current = 1 - current
            let at = block.lowerBound * fanIn
            activation.rBackward(rd, activationGradient: activation.hasCurvature ? activationGradients[l - 1] + at : nil,
                                 rPreActivation: workspace.rPreActivations[l - 1], outputs: inputs[l] + at,
                                 inputs: preActivations[l - 1].map { $0 + at }, count: n * fanIn, into: next)
            rg = next
        }
    }

    private func clear(_ result: UnsafeMutablePointer<Float>) {
        result.update(repeating: 0, count: parameterCount)
    }

    // MARK: - Buffers

    /// Makes room for `rows` rows (buffers grow, never shrink): a tape reused for batches of
    /// varying size is best reserved once for the largest.
    public func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        let hidden = Array(mlp.sizes.dropFirst().dropLast())
        let keepsInputs = activation.slopeNeedsInput
        var widths = [mlp.inputSize] + hidden + [mlp.outputSize] + hidden + [mlp.outputSize]
        widths += (activation.hasCurvature ? hidden : []) + (keepsInputs ? hidden : []) + [hidden.max() ?? 0]
        let newCapacity = Swift.max(rows, capacity * 5 / 4)
        arena?.deallocate()
        let base = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, newCapacity * widths.reduce(0, +)))
        arena = base
        var cursor = base
        func take(_ width: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += newCapacity * width }
            return cursor
        }
        inputs = [take(mlp.inputSize)] + hidden.map(take)
        output = take(mlp.outputSize)
        outputGradients = hidden.map(take) + [take(mlp.outputSize)]
        let kept = activation.hasCurvature ? hidden.map(take) : []
        preActivations = keepsInputs ? hidden.map(take) : hidden.map { _ in nil }
        // Without curvature the Hessian never reads D_l again: one buffer serves every layer.
        let shared = take(hidden.max() ?? 0)
        activationGradients = activation.hasCurvature ? kept : hidden.map { _ in shared }
        capacity = newCapacity
    }

    /// Scratch buffers for one block of a product, one per thread (tapes of many tasks share it).
    public final class Workspace: @unchecked Sendable {
        private var sizes: [Int] = []
        private var arena: UnsafeMutablePointer<Float>?
        /// R{Z_l} and R{A_l} of hidden layers (index l − 1).
        var rPreActivations: [UnsafeMutablePointer<Float>] = []
        var rActivations: [UnsafeMutablePointer<Float>] = []
        var rOutput = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var rOutputGradient = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var rActivationGradient = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var pingPong: [UnsafeMutablePointer<Float>] = []

        public init() {}
        deinit { arena?.deallocate() }

        func reserve(for mlp: MLP) {
            guard mlp.sizes != sizes else { return }
            arena?.deallocate()
            let hidden = Array(mlp.sizes.dropFirst().dropLast())
            let widest = mlp.sizes.max()!
            let rows = MLPTape.blockRows
            let widths = hidden + hidden + [mlp.outputSize, mlp.outputSize, widest, widest, widest]
            let base = UnsafeMutablePointer<Float>.allocate(capacity: rows * widths.reduce(0, +))
            arena = base
            var cursor = base
            func take(_ width: Int) -> UnsafeMutablePointer<Float> {
                defer { cursor += rows * width }
                return cursor
            }
            rPreActivations = hidden.map(take)
            rActivations = hidden.map(take)
            rOutput = take(mlp.outputSize)
            rOutputGradient = take(mlp.outputSize)
            rActivationGradient = take(widest)
            pingPong = [take(widest), take(widest)]
            sizes = mlp.sizes
        }
    }
}

// MARK: - Row kernels

/// Every row of the rows × width buffer `z` set to `row`.
@inline(__always)
func fillRows(_ z: UnsafeMutablePointer<Float>, rows: Int, width: Int, with row: UnsafePointer<Float>) {
    for r in 0..<rows { (z + r * width).update(from: row, count: width) }
}

/// `result` += the column sums of a rows × width buffer.
@inline(__always)
func addRowSums(_ g: UnsafePointer<Float>, rows: Int, width: Int, into result: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let row = g + r * width
        for j in 0..<width { result[j] += row[j] }
    }
}

extension MLP {
    /// Offsets of each layer's weight and bias in a flat parameter vector, and its length.
    public var flatLayout: (offsets: [(weight: Int, bias: Int)], count: Int) {
        var offset = 0
        let offsets = layers.map { layer -> (weight: Int, bias: Int) in
            defer { offset += layer.inputSize * layer.outputSize + layer.outputSize }
            return (offset, offset + layer.inputSize * layer.outputSize)
        }
        return (offsets, offset)
    }
}
