import Compute

extension VulkanBackend {
    public func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor {
        precondition(!terms.isEmpty, "linearCombination needs at least one term")
        let shape = terms[0].0.shape
        for (tensor, _) in terms {
            precondition(tensor.shape == shape, "linearCombination of \(shape) and \(tensor.shape)")
        }
        let (result, out) = output(shape)
        let count = terms[0].0.count
        guard count > 0 else { return result }
        // Three terms per dispatch; later dispatches add onto the output, keeping the CPU's order of additions.
        for (chunkIndex, start) in stride(from: 0, to: terms.count, by: 3).enumerated() {
            let chunk = Array(terms[start..<min(start + 3, terms.count)])
            var coefficients = chunk.map { Float($0.1) }
            while coefficients.count < 3 { coefficients.append(0) }
            stream.dispatch(.linearCombination,
                            storage: [out] + chunk.map { region($0.0) },
                            push: [Self.u(count), Self.u(chunk.count), chunkIndex > 0 ? 1 : 0] + coefficients.map(Self.f),
                            groups: Self.grid(count))
        }
        return result
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: false) }

    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: true) }

    private func broadcast(_ a: Tensor, _ b: Tensor, multiply: Bool) -> Tensor {
        let (dims, strides) = Self.collapse(dims: a.shape, strides: Broadcast.strides(of: b.shape, against: a.shape))
        let (result, out) = output(a.shape)
        guard a.count > 0 else { return result }
        stream.dispatch(.broadcastBinary, storage: [out, region(a), region(b)],
                        push: [Self.u(a.count), Self.u(dims.count), multiply ? 1 : 0] + Self.six(dims) + Self.six(strides),
                        groups: Self.grid(a.count))
        return result
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        let code: UInt32
        switch kind {
        case .silu: code = 0
        case .gelu: code = 1
        case .quickGelu: code = 2
        }
        stream.dispatch(.activation, storage: [out, region(x)], push: [Self.u(x.count), code], groups: Self.grid(x.count))
        return result
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        precondition(width % 2 == 0, "geglu needs an even last axis, got \(x.shape)")
        let (result, out) = output(Array(x.shape.dropLast()) + [width / 2])
        guard result.count > 0 else { return result }
        stream.dispatch(.geglu, storage: [out, region(x)], push: [Self.u(result.count), Self.u(width / 2)],
                        groups: Self.grid(result.count))
        return result
    }

    /// Drops unit axes and merges neighbouring axes that index `strides` contiguously (or are both broadcast),
    /// so that the kernels' index arithmetic runs over as few axes as possible (at most six).
    static func collapse(dims: [Int], strides: [Int]) -> (dims: [Int], strides: [Int]) {
        var outDims: [Int] = [], outStrides: [Int] = []
        for (dim, stride) in zip(dims, strides) where dim != 1 {
            if let lastStride = outStrides.last, lastStride == stride * dim {
                outDims[outDims.count - 1] *= dim
                outStrides[outStrides.count - 1] = stride
            } else {
                outDims.append(dim)
                outStrides.append(stride)
            }
        }
        if outDims.isEmpty { return ([1], [0]) }
        precondition(outDims.count <= 6, "shapes of rank above six after merging axes are not supported: \(dims)")
        return (outDims, outStrides)
    }

    /// Pads a list of at most six values to exactly six push-constant words.
    static func six(_ values: [Int]) -> [UInt32] {
        precondition(values.count <= 6)
        return values.map(u) + [UInt32](repeating: 0, count: 6 - values.count)
    }
}
