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
        let count4 = (count + 3) / 4
        // Three terms per dispatch; later dispatches add onto the output, keeping the CPU's order of additions.
        for (chunkIndex, start) in stride(from: 0, to: terms.count, by: 3).enumerated() {
            let chunk = Array(terms[start..<min(start + 3, terms.count)])
            var coefficients = chunk.map { Float($0.1) }
            while coefficients.count < 3 { coefficients.append(0) }
            let regions = chunk.map { region($0.0) }
            let offsets = (0..<3).map { $0 < regions.count ? regions[$0].texelOffset : 0 }
            stream.dispatch(.linearCombination, storage: [out], texels: regions.map(\.block.view),
                            push: [Self.u(count4), Self.u(chunk.count), chunkIndex > 0 ? 1 : 0] + coefficients.map(Self.f) + offsets,
                            groups: Self.grid(count4))
        }
        return result
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: false) }

    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: true) }

    private func broadcast(_ a: Tensor, _ b: Tensor, multiply: Bool) -> Tensor {
        var (dims, strides) = Self.collapse(dims: a.shape, strides: Broadcast.strides(of: b.shape, against: a.shape))
        let (result, out) = output(a.shape)
        guard a.count > 0 else { return result }
        let (ra, rb) = (region(a), region(b))
        if dims.count == 1 && strides == [1] {
            // Same shapes: regions are padded to whole texels, so round the length up to a multiple of 4.
            dims = [Self.roundUp(dims[0], 4)]
        }
        if dims.count <= 3, dims.last! % 4 == 0, strides.last! <= 1 {
            let d = [Int](repeating: 1, count: 3 - dims.count) + dims
            let s = [Int](repeating: 0, count: 3 - strides.count) + strides
            if d[0] <= 65535 {
                stream.dispatch(.broadcastBinaryVec4, storage: [out], texels: [ra.block.view, rb.block.scalarView],
                                push: [d[1], d[2] / 4, s[0], s[1], s[2], Int(ra.texelOffset), Int(rb.scalarOffset), multiply ? 1 : 0,
                                       d[1] * d[2] / 4].map(Self.u),
                                groups: Self.grid(inner: d[1] * d[2] / 4, z: d[0]))
                return result
            }
        }
        stream.dispatch(.broadcastBinary, storage: [out, ra, rb],
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
        case .relu: code = 3
        }
        let count4 = (x.count + 3) / 4, rx = region(x)
        stream.dispatch(.activation, storage: [out], texels: [rx.block.view], push: [Self.u(count4), code, rx.texelOffset],
                        groups: Self.grid(count4))
        return result
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        precondition(width % 2 == 0, "geglu needs an even last axis, got \(x.shape)")
        let (result, out) = output(Array(x.shape.dropLast()) + [width / 2])
        guard result.count > 0 else { return result }
        let rows = result.count / (width / 2), rx = region(x)
        let (perLayer, layers) = Self.fold(rows)
        stream.dispatch(.geglu, storage: [out], texels: [rx.block.scalarView],
                        push: [width / 2, Int(rx.scalarOffset), perLayer, rows].map(Self.u),
                        groups: Self.grid(x: (width / 2 + 3) / 4, y: perLayer, z: layers))
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
