/// An MLP's forward pass on one batch of rows, kept so that exact first- and second-order
/// products can be taken on it many times without building a graph: the gradient of a loss from
/// its derivative in the outputs (backpropagation), Jacobian-vector products of the outputs (the
/// R-operator's forward pass), their transposes, and Hessian-vector products of the loss
/// (Pearlmutter 1994, "Fast exact multiplication by the Hessian": the R-operator applied to
/// backpropagation). The rules are hand-derived for `Linear` layers and `Activation`s, run on
/// buffers allocated once, and every matrix product goes through BLAS. The autodiff (`MLP` on
/// tracked tensors) is the reference they are tested against, to second order.
///
/// Parameters are flat vectors in `Parameters.flattened()` order of `mlp.initialParameters`:
/// `layer1.weight` ([in, out], row-major), `layer1.bias`, `layer2.weight`, …
public final class MLPTape: @unchecked Sendable {
    public let mlp: MLP
    /// Rows of the batch on the tape.
    public private(set) var rows = 0
    private var capacity = 0
    private var arena: UnsafeMutablePointer<Float>?
    /// A_l, the input of layer l+1 (A_0 = X), for l = 0..<L.
    private var inputs: [UnsafeMutablePointer<Float>] = []
    /// φ′(Z_l) and φ″(Z_l) of hidden layer l = 1..<L, at index l − 1.
    private var slopes: [UnsafeMutablePointer<Float>] = []
    private var curvatures: [UnsafeMutablePointer<Float>] = []
    /// The outputs Z_L.
    public private(set) var output = UnsafeMutablePointer<Float>(bitPattern: 8)!
    /// The last backward pass: G_l = ∂ℓ/∂Z_l for l = 1...L (index l − 1), and D_l = ∂ℓ/∂A_l for
    /// hidden l (index l − 1), which the Hessian's curvature term needs.
    private var outputGradients: [UnsafeMutablePointer<Float>] = []
    private var activationGradients: [UnsafeMutablePointer<Float>] = []

    /// Where each layer's weight and bias start in a flat parameter vector.
    private let offsets: [(weight: Int, bias: Int)]

    public init(mlp: MLP) {
        self.mlp = mlp
        offsets = mlp.flatLayout.offsets
    }

    deinit { arena?.deallocate() }

    var depth: Int { mlp.layers.count }
    var hasCurvature: Bool { mlp.activation.hasCurvature }

    /// The outputs as a buffer of rows × outputSize.
    public var outputs: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: output, count: rows * mlp.outputSize) }

    // MARK: - Forward

    /// Runs the network at `parameters` on `rows` rows of `input` (rows × inputSize) and keeps
    /// every layer's input and activation slopes.
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
                mlp.activation.apply(z, count: rows * fanOut, slopes: slopes[l], curvatures: hasCurvature ? curvatures[l] : nil)
            }
        }
    }

    // MARK: - Backward

    /// Backpropagates `outputGradient` (rows × outputSize, ∂ℓ/∂outputs) and writes ∂ℓ/∂θ into
    /// `gradient`. The pass stays on the tape for `hessianProduct`.
    public func backward(_ parameters: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         into gradient: UnsafeMutablePointer<Float>) {
        outputGradients[depth - 1].update(from: outputGradient, count: rows * mlp.outputSize)
        backpropagate(parameters, gradients: outputGradients, activationGradients: activationGradients, into: gradient)
    }

    /// The vector-Jacobian product uᵀ ∂outputs/∂θ (backpropagation of `u` through the kept
    /// forward pass, in the workspace: the tape's last backward pass is left as it was).
    public func vectorJacobianProduct(_ parameters: UnsafePointer<Float>, _ u: UnsafePointer<Float>,
                                      into result: UnsafeMutablePointer<Float>, workspace: Workspace) {
        workspace.reserve(rows, for: mlp)
        let width = mlp.outputSize
        let gradients = (0..<depth).map { l in l == depth - 1 ? workspace.outputGradient : workspace.pingPong[l % 2] }
        gradients[depth - 1].update(from: u, count: rows * width)
        backpropagate(parameters, gradients: gradients, activationGradients: (0..<depth - 1).map { _ in workspace.rActivationGradient },
                      into: result)
    }

    /// G_{l} → ∂ℓ/∂W_l, ∂ℓ/∂b_l and G_{l−1}, last layer first.
    private func backpropagate(_ parameters: UnsafePointer<Float>, gradients: [UnsafeMutablePointer<Float>],
                               activationGradients: [UnsafeMutablePointer<Float>], into result: UnsafeMutablePointer<Float>) {
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let g = gradients[l]
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: rows, inputs[l], lda: fanIn, g, ldb: fanOut,
                      result + offsets[l].weight, ldc: fanOut)
            sumRows(g, rows: rows, width: fanOut, into: result + offsets[l].bias)
            guard l > 0 else { break }
            let d = activationGradients[l - 1]
            BLAS.gemm(transposeB: true, m: rows, n: fanIn, k: fanOut, g, lda: fanOut, parameters + offsets[l].weight, ldb: fanOut,
                      d, ldc: fanIn)
            multiply(d, slopes[l - 1], count: rows * fanIn, into: gradients[l - 1])
        }
    }

    // MARK: - Second order

    /// The Jacobian-vector product ∂outputs/∂θ · v (the R-operator's forward pass), left in
    /// `workspace.rOutput` (rows × outputSize) with every layer's R-values for `hessianProduct`.
    public func jacobianProduct(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>, workspace: Workspace) {
        workspace.reserve(rows, for: mlp)
        for l in 0..<depth {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let rz = l == depth - 1 ? workspace.rOutput : workspace.rPreActivations[l]
            fillRows(rz, rows: rows, width: fanOut, with: v + offsets[l].bias)
            BLAS.gemm(m: rows, n: fanOut, k: fanIn, inputs[l], lda: fanIn, v + offsets[l].weight, ldb: fanOut, beta: 1, rz, ldc: fanOut)
            if l > 0 {
                BLAS.gemm(m: rows, n: fanOut, k: fanIn, workspace.rActivations[l - 1], lda: fanIn, parameters + offsets[l].weight,
                          ldb: fanOut, beta: 1, rz, ldc: fanOut)
            }
            if l < depth - 1 { multiply(rz, slopes[l], count: rows * fanOut, into: workspace.rActivations[l]) }
        }
    }

    /// The R-operator on the kept backward pass: given R{∂ℓ/∂outputs} (rows × outputSize, which
    /// the loss computes from `workspace.rOutput` after `jacobianProduct` with the same v), writes
    /// R{∂ℓ/∂θ} = H v, the Hessian of ℓ in θ times v, into `result`.
    public func hessianProduct(_ parameters: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
                               rOutputGradient: UnsafePointer<Float>, into result: UnsafeMutablePointer<Float>,
                               workspace: Workspace) {
        var current = 0
        var rg = workspace.pingPong[current]
        rg.update(from: rOutputGradient, count: rows * mlp.outputSize)
        for l in stride(from: depth - 1, through: 0, by: -1) {
            let (fanIn, fanOut) = (mlp.sizes[l], mlp.sizes[l + 1])
            let g = outputGradients[l]
            let weight = result + offsets[l].weight
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: rows, inputs[l], lda: fanIn, rg, ldb: fanOut, weight, ldc: fanOut)
            sumRows(rg, rows: rows, width: fanOut, into: result + offsets[l].bias)
            guard l > 0 else { break }
            let ra = workspace.rActivations[l - 1]
            BLAS.gemm(transposeA: true, m: fanIn, n: fanOut, k: rows, ra, lda: fanIn, g, ldb: fanOut, beta: 1, weight, ldc: fanOut)
            let rd = workspace.rActivationGradient
            BLAS.gemm(transposeB: true, m: rows, n: fanIn, k: fanOut, rg, lda: fanOut, parameters + offsets[l].weight, ldb: fanOut, rd, ldc: fanIn)
            BLAS.gemm(transposeB: true, m: rows, n: fanIn, k: fanOut, g, lda: fanOut, v + offsets[l].weight, ldb: fanOut, beta: 1, rd, ldc: fanIn)
            current = 1 - current
            let next = workspace.pingPong[current]
            // R{G_{l}} = R{D_l} ⊙ φ′ + D_l ⊙ φ″ ⊙ R{Z_l}
            multiply(rd, slopes[l - 1], count: rows * fanIn, into: next)
            if hasCurvature {
                addProduct(activationGradients[l - 1], curvatures[l - 1], workspace.rPreActivations[l - 1], count: rows * fanIn, into: next)
            }
            rg = next
        }
    }

    // MARK: - Buffers

    /// Makes room for `rows` rows (buffers grow, never shrink).
    private func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        let hidden = Array(mlp.sizes.dropFirst().dropLast())
        let widest = hidden.max() ?? 0
        var widths = [mlp.inputSize] + hidden + hidden + [mlp.outputSize] + hidden + [mlp.outputSize]
        widths += hasCurvature ? hidden + hidden : [widest]
        let newCapacity = max(rows, capacity * 5 / 4)
        var buffers = allocate(widths, rows: newCapacity)[...]
        func take(_ count: Int) -> [UnsafeMutablePointer<Float>] {
            defer { buffers = buffers.dropFirst(count) }
            return Array(buffers.prefix(count))
        }
        inputs = take(depth)
        slopes = take(hidden.count)
        output = take(1)[0]
        outputGradients = take(depth)
        curvatures = hasCurvature ? take(hidden.count) : []
        // Without curvature the Hessian never reads D_l again: one buffer serves every layer.
        activationGradients = hasCurvature ? take(hidden.count) : Array(repeating: take(1)[0], count: hidden.count)
        capacity = newCapacity
    }

    /// One allocation cut into buffers of rows × width for each width, in order.
    private func allocate(_ widths: [Int], rows: Int) -> [UnsafeMutablePointer<Float>] {
        arena?.deallocate()
        let base = UnsafeMutablePointer<Float>.allocate(capacity: max(1, rows * widths.reduce(0, +)))
        arena = base
        var offset = 0
        return widths.map { width in
            defer { offset += rows * width }
            return base + offset
        }
    }

    /// Scratch buffers for products on a tape, one per thread (tapes of many tasks share them).
    public final class Workspace: @unchecked Sendable {
        private var capacity = 0
        private var widths: [Int] = []
        private var arena: UnsafeMutablePointer<Float>?
        /// R{Z_l} and R{A_l} of hidden layers (index l − 1), R{outputs}.
        var rPreActivations: [UnsafeMutablePointer<Float>] = []
        var rActivations: [UnsafeMutablePointer<Float>] = []
        public private(set) var rOutput = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var rActivationGradient = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var outputGradient = UnsafeMutablePointer<Float>(bitPattern: 8)!
        var pingPong: [UnsafeMutablePointer<Float>] = []

        public init() {}
        deinit { arena?.deallocate() }

        func reserve(_ rows: Int, for mlp: MLP) {
            guard rows > capacity || mlp.sizes != widths else { return }
            arena?.deallocate()
            let hidden = Array(mlp.sizes.dropFirst().dropLast())
            let widest = mlp.sizes.max()!
            let layout = hidden + hidden + [mlp.outputSize, mlp.outputSize, widest, widest, widest]
            let newCapacity = max(rows, capacity * 5 / 4)
            let base = UnsafeMutablePointer<Float>.allocate(capacity: max(1, newCapacity * layout.reduce(0, +)))
            var offset = 0
            let buffers = layout.map { width in
                defer { offset += newCapacity * width }
                return base + offset
            }
            rPreActivations = Array(buffers[0..<hidden.count])
            rActivations = Array(buffers[hidden.count..<2 * hidden.count])
            (rOutput, outputGradient, rActivationGradient) = (buffers[2 * hidden.count], buffers[2 * hidden.count + 1], buffers[2 * hidden.count + 2])
            pingPong = [buffers[2 * hidden.count + 3], buffers[2 * hidden.count + 4]]
            arena = base
            capacity = newCapacity
            widths = mlp.sizes
        }
    }
}

// MARK: - Row and element kernels

/// Every row of the rows × width buffer `z` set to `row`.
@inline(__always)
func fillRows(_ z: UnsafeMutablePointer<Float>, rows: Int, width: Int, with row: UnsafePointer<Float>) {
    for r in 0..<rows { (z + r * width).update(from: row, count: width) }
}

/// `result` ← the column sums of a rows × width buffer.
@inline(__always)
func sumRows(_ g: UnsafePointer<Float>, rows: Int, width: Int, into result: UnsafeMutablePointer<Float>) {
    result.update(repeating: 0, count: width)
    for r in 0..<rows {
        let row = g + r * width
        for j in 0..<width { result[j] += row[j] }
    }
}

@inline(__always)
func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, into c: UnsafeMutablePointer<Float>) {
    for i in 0..<count { c[i] = a[i] * b[i] }
}

@inline(__always)
func addProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>, count: Int,
                into d: UnsafeMutablePointer<Float>) {
    for i in 0..<count { d[i] += a[i] * b[i] * c[i] }
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
