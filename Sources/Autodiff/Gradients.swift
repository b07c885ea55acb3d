/// Reverse-mode differentiation: the gradient of `y` with respect to each tensor in `xs`.
///
/// - Parameters:
///   - y: the output, usually a scalar loss. Its gradient is seeded with `seed` (ones by default),
///     so a non-scalar `y` gives a vector–Jacobian product.
///   - xs: tracked tensors (leaves from `requiringGradient()` or intermediate results).
///   - createGraph: when true, the backward pass is itself recorded, so the returned gradients
///     are functions of the inputs that can be differentiated again (MAML's inner step,
///     Hessian-vector products). When false, backward records nothing.
/// - Returns: one gradient per `x`, of its shape; zeros where `y` does not depend on `x`.
public func gradients(of y: Tensor, wrt xs: [Tensor], seed: Tensor? = nil,
                      createGraph: Bool = false) -> [Tensor] {
    for (i, x) in xs.enumerated() {
        require(x.node != nil, "gradients(of:wrt:): wrt[\(i)] (shape \(x.shape)) is not tracked; "
                     + "make it a leaf with requiringGradient() before computing with it")
    }
    if let seed { require(seed.shape == y.shape, "gradients: seed shape \(seed.shape) differs from output shape \(y.shape)") }
    guard let root = y.node else { return xs.map { Tensor.zeros($0.shape) } }

    let targets = Set(xs.map { ObjectIdentifier($0.node!) })
    let (order, relevant) = backwardOrder(from: root, towards: targets)
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed ?? Tensor.ones(y.shape)]

    GradMode.with(recording: createGraph) {
        for node in order {
            let id = ObjectIdentifier(node)
            guard let backward = node.backward, let grad = grads[id] else { continue }
            if !targets.contains(id) { grads[id] = nil }  // free as we go
            let needs = node.inputs.map { $0.node.map { relevant.contains(ObjectIdentifier($0)) } ?? false }
            let output = Tensor(shape: node.shape, scalars: node.savedOutput ?? [], node: node)
            let inputGrads = backward(grad, output, needs)
            for (input, inputGrad) in zip(node.inputs, inputGrads) {
                guard let inputNode = input.node, let inputGrad else { continue }
                let inputID = ObjectIdentifier(inputNode)
                guard relevant.contains(inputID) else { continue }
                require(inputGrad.shape == input.shape,
                             "gradients: rule of \(node.op) gave shape \(inputGrad.shape) for input \(input.shape)")
                if var sum = grads.removeValue(forKey: inputID) {
                    // Recording, the sum is part of the graph; else add into the buffer in place.
                    if createGraph { sum = sum + inputGrad } else { sum.accumulate(inputGrad) }
                    grads[inputID] = sum
                } else {
                    grads[inputID] = inputGrad
                }
            }
        }
    }
    return xs.map { x in
        let g = grads[ObjectIdentifier(x.node!)] ?? Tensor.zeros(x.shape)
        return createGraph ? g : g.detached()
    }
}

/// Convenience for one input.
public func gradient(of y: Tensor, wrt x: Tensor, createGraph: Bool = false) -> Tensor {
    gradients(of: y, wrt: [x], createGraph: createGraph)[0]
}

/// Nodes from which a target is reachable, in an order where every node comes before its inputs
/// (reverse post-order of an iterative depth-first search, so deep graphs cannot overflow the stack).
private func backwardOrder(from root: Node, towards targets: Set<ObjectIdentifier>)
    -> (order: [Node], relevant: Set<ObjectIdentifier>) {
    var postOrder: [Node] = []
    var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var relevant: Set<ObjectIdentifier> = []
    var stack: [(node: Node, nextInput: Int)] = [(root, 0)]
    while let (node, nextInput) = stack.last {
        if nextInput < node.inputs.count {
            stack[stack.count - 1].nextInput += 1
            if let child = node.inputs[nextInput].node, visited.insert(ObjectIdentifier(child)).inserted {
                stack.append((child, 0))
            }
            continue
        }
        stack.removeLast()
        let id = ObjectIdentifier(node)
        if targets.contains(id) || node.inputs.contains(where: { $0.node.map { relevant.contains(ObjectIdentifier($0)) } ?? false }) {
            relevant.insert(id)
            postOrder.append(node)
        }
    }
    return (postOrder.reversed(), relevant)
}

extension Tensor {
    /// self += other for a same-shaped constant, in place when no other tensor shares the buffer.
    mutating func accumulate(_ other: Tensor) {
        other.scalars.withUnsafeBufferPointer { o in
            withUnsafeMutableBufferPointer { s in
                for i in 0..<s.count { s[i] += o[i] }
            }
        }
    }
}
