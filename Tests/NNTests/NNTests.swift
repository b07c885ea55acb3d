import Testing
import Foundation
import NN
import TestSupport

@Suite struct ModelTests {
    @Test func mlpShapesNamesAndInitialisation() {
        var rng = Xoshiro256(seed: 1)
        let mlp = MLP(sizes: [20, 100, 100, 6], activation: .relu)
        let p = mlp.initialParameters(using: &rng)
        #expect(p.names == ["layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias", "layer3.weight", "layer3.bias"])
        #expect(p.scalarCount == 20 * 100 + 100 + 100 * 100 + 100 + 100 * 6 + 6)
        #expect(mlp(Tensor.zeros([7, 20]), p).shape == [7, 6])
        // He initialisation: weight variance ≈ 2 / fan_in.
        let w = p["layer2.weight"].scalars
        let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
        #expect(abs(variance - 0.02) < 0.002, "variance \(variance)")
        var again = Xoshiro256(seed: 1)
        #expect(mlp.initialParameters(using: &again).flattened().scalars == p.flattened().scalars)
    }

    @Test func modelIsAFunctionOfExplicitParameters() {
        var rng = Xoshiro256(seed: 2)
        let mlp = MLP(sizes: [2, 4, 1], activation: .tanh)
        let theta = mlp.initialParameters(using: &rng)
        let x = Tensor.randomNormal([3, 2], using: &rng)
        let shifted = theta.map { $0 + 0.1 }
        #expect(mlp(x, theta).scalars != mlp(x, shifted).scalars)
        #expect(mlp(x, theta).scalars == mlp(x, theta).scalars)
    }

    @Test func flattenAndUnflattenRoundTripAndAreDifferentiable() {
        var rng = Xoshiro256(seed: 3)
        let p = MLP(sizes: [3, 5, 2]).initialParameters(using: &rng)
        let flat = p.flattened()
        #expect(flat.shape == [p.scalarCount])
        let back = p.unflattened(flat)
        #expect(back.names == p.names)
        #expect(zip(back.tensors, p.tensors).allSatisfy { $0.shape == $1.shape && $0.scalars == $1.scalars })
        let tracked = p.requiringGradient()
        let g = gradients(of: (tracked.flattened() * 2).sum(), wrt: tracked)
        #expect(g.tensors.allSatisfy { $0.scalars.allSatisfy { $0 == 2 } })
    }

    @Test func sgdAndAdamReduceAQuadratic() {
        var params = Parameters(names: ["x"], tensors: [Tensor([3, -2])])
        var adam = Adam(learningRate: 0.1)
        for _ in 0..<200 {
            let tracked = params.requiringGradient()
            params = adam.update(params, gradients: gradients(of: tracked["x"].square().sum(), wrt: tracked))
        }
        #expect(params["x"].scalars.allSatisfy { abs($0) < 0.05 }, "Adam ended at \(params["x"])")
        // First Adam step moves every coordinate by the learning rate (bias-corrected m/√v = ±1).
        var fresh = Adam(learningRate: 0.01)
        let start = Parameters(names: ["x"], tensors: [Tensor([3, -2])])
        let once = fresh.update(start, gradients: Parameters(names: ["x"], tensors: [Tensor([6, -4])]))
        #expect(isClose(once["x"], Tensor([2.99, -1.99]), tolerance: 1e-6))
        let sgd = SGD(learningRate: 0.25)
        #expect(sgd.step(start, gradients: start)["x"].scalars == [2.25, -1.5])
    }

    @Test func adamEqualsItsTensorExpressionsExactly() {
        // The fused update must not change a run's numbers: three steps against Algorithm 1
        // written with tensor ops (PyTorch's arrangement of the bias corrections), bit for bit.
        let (lr, b1, b2, eps): (Float, Float, Float, Float) = (1e-3, 0.9, 0.999, 1e-8)
        var theta = Parameters(names: ["w", "b"], tensors: [Tensor([[0.3, -1.2], [2.5, 0.01]]), Tensor([-0.7, 4e-3])])
        var expected = theta
        var m = theta.map { Tensor.zeros($0.shape) }, v = m
        var adam = Adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps)
        for step in 1...3 {
            let g = theta.map { $0 * Float(step) - 0.37 }
            theta = adam.update(theta, gradients: g)
            m = m.zip(g) { b1 * $0 + (1 - b1) * $1 }
            v = v.zip(g) { b2 * $0 + (1 - b2) * $1.square() }
            let c1 = 1 - pow(b1, Float(step)), c2 = 1 - pow(b2, Float(step))
            let denominator = v.map { $0.sqrt() / c2.squareRoot() + eps }
            expected = expected.zip(m.zip(denominator, /)) { $0 - (lr / c1) * $1 }
            #expect(theta.tensors.map(\.scalars) == expected.tensors.map(\.scalars), "step \(step)")
        }
    }
}

@Suite struct SafetensorsTests {
    let parameters = Parameters(names: ["layer1.weight", "layer1.bias", "log_std"],
                                tensors: [Tensor([[1, -2.5], [3e-8, 4]]), Tensor([0.5, -0.25]), Tensor([-0.1])])

    func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("adapt-\(UUID().uuidString)-\(name)")
    }

    @Test func roundTripKeepsTensorsAndMetadata() throws {
        let url = temporaryURL("model.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Safetensors.write(parameters, metadata: ["env": "half-cheetah-vel", "iteration": "12"], to: url)
        let contents = try Safetensors.read(url)
        #expect(contents.metadata == ["env": "half-cheetah-vel", "iteration": "12"])
        #expect(contents.tensors.names == parameters.names)
        for (a, b) in zip(contents.tensors.tensors, parameters.tensors) {
            #expect(a.shape == b.shape && a.scalars == b.scalars)
        }
        // The layout is the published one: header length, then JSON, data 8-byte aligned.
        let data = try Data(contentsOf: url)
        let headerLength = Int(data[0]) | Int(data[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
        #expect(data.count == 8 + headerLength + 4 * 7)
    }

    /// Every byte of the data section is covered by the recorded CRC-32; a file without one (as
    /// other tools write) is still read.
    @Test func damagedDataIsRefusedAndFilesWithoutChecksumAreRead() throws {
        let data = try Safetensors.encode(parameters, metadata: ["env": "x"])
        let headerLength = Int(data[0]) | Int(data[1]) << 8
        for offset in 8 + headerLength ..< data.count {
            var damaged = data
            damaged[offset] ^= 0x10
            #expect(throws: Safetensors.Error.self) { try Safetensors.decode(damaged) }
        }
        // The same tensors with a header that records no checksum.
        let header = String(decoding: data[8 ..< 8 + headerLength], as: UTF8.self)
        var plain = header.replacingOccurrences(of: #""data_crc32":"[0-9a-f]{8}","#, with: "", options: .regularExpression)
        plain += String(repeating: " ", count: (8 - plain.utf8.count % 8) % 8)
        #expect(plain != header)
        var file = Data()
        withUnsafeBytes(of: UInt64(plain.utf8.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(Data(plain.utf8))
        file.append(data[(8 + headerLength)...])
        #expect(try Safetensors.decode(file).tensors.tensors.map(\.scalars) == parameters.tensors.map(\.scalars))
    }

    @Test func shapesThatOverflowOrExceedTheDataAreRefused() throws {
        let data = try Safetensors.encode(parameters)
        let headerLength = Int(data[0]) | Int(data[1]) << 8
        let header = String(decoding: data[8 ..< 8 + headerLength], as: UTF8.self)
        for shape in ["[4611686018427387904,4]", "[-1,-4]", "[3037000500,3037000500]", "[1,1,1,1,1,1,1,1,1]"] {
            var edited = header.replacingOccurrences(of: "[2,2]", with: shape)
            edited += String(repeating: " ", count: (8 - edited.utf8.count % 8) % 8)
            var file = Data()
            withUnsafeBytes(of: UInt64(edited.utf8.count).littleEndian) { file.append(contentsOf: $0) }
            file.append(Data(edited.utf8))
            file.append(data[(8 + headerLength)...])
            #expect(throws: Safetensors.Error.self) { try Safetensors.decode(file) }
        }
    }

    @Test func truncatedFileIsRefused() throws {
        let data = try Safetensors.encode(parameters)
        for cut in [0, 5, 8, 20, data.count - 1] {
            #expect(throws: Safetensors.Error.self) { try Safetensors.decode(data.prefix(cut)) }
        }
    }

    @Test func corruptHeaderIsRefusedWithAReason() throws {
        var data = try Safetensors.encode(parameters)
        data[8] = UInt8(ascii: "#")  // the JSON header's opening brace
        do {
            _ = try Safetensors.decode(data, path: "bad.safetensors")
            Issue.record("a corrupt header was accepted")
        } catch let error as Safetensors.Error {
            #expect(error.description.contains("bad.safetensors"))
        }
        var wrongLength = try Safetensors.encode(parameters)
        wrongLength[0] = 0xFF; wrongLength[1] = 0xFF
        #expect(throws: Safetensors.Error.self) { try Safetensors.decode(wrongLength) }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: Safetensors.Error.self) { try Safetensors.read(URL(fileURLWithPath: "/nonexistent/x.safetensors")) }
    }
}
