import Compute

extension VulkanBackend {
    public func linearCombination(_ terms: [(Tensor, Double)]) -> Tensor {
        precondition(!terms.isEmpty, "linearCombination needs at least one term")
        let shape = terms[0].0.shape
        for (tensor, _) in terms {
            precondition(tensor.shape == shape, "linearCombination of \(shape) and \(tensor.shape)")
        }
        // One dispatch (three terms at most) stores fp16 itself; chained ones add onto the fp32 output.
        let (result, out, outHalf) = output(shape, storedAs: .propagated(terms.map(\.0)), kernelStoresHalf: terms.count <= 3)
        let count = terms[0].0.count
        guard count > 0 else { return finished(result) }
        let count4 = (count + 3) / 4
        // Three terms per dispatch; later dispatches add onto the output, keeping the CPU's order of additions.
        for (chunkIndex, start) in stride(from: 0, to: terms.count, by: 3).enumerated() {
            let chunk = Array(terms[start..<min(start + 3, terms.count)])
            var coefficients = chunk.map { Float($0.1) }
            while coefficients.count < 3 { coefficients.append(0) }
            let operands = chunk.map { texelOperand($0.0) }
            let offsets = (0..<3).map { $0 < operands.count ? operands[$0].texelOffset : 0 }
            stream.dispatch(LinearCombinationParams(count4: Self.u(count4), terms: Self.u(chunk.count), accumulate: chunkIndex > 0 ? 1 : 0,
                                                    c0: coefficients[0], c1: coefficients[1], c2: coefficients[2],
                                                    off0: offsets[0], off1: offsets[1], off2: offsets[2], outHalf: outHalf),
                            storage: [out], texels: operands.map(\.view), groups: Self.grid(count4))
        }
        return finished(result)
    }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: false) }

    public func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { broadcast(a, b, multiply: true) }

    private func broadcast(_ a: Tensor, _ b: Tensor, multiply: Bool) -> Tensor {
        var (dims, strides) = Self.collapse(dims: a.shape, strides: Broadcast.strides(of: b.shape, against: a.shape))
        if dims.count == 1 && strides == [1] {
            // Same shapes: regions are padded to whole texels, so round the length up to a multiple of 4.
            dims = [Self.roundUp(dims[0], 4)]
        }
        let d = [Int](repeating: 1, count: max(0, 3 - dims.count)) + dims
        let s = [Int](repeating: 0, count: max(0, 3 - strides.count)) + strides
        // broadcast_binary_vec4 (which stores fp16 itself, four values at a time) where the collapsed shape allows.
        let vectorised = dims.count <= 3 && (dims.last ?? 1) % 4 == 0 && (strides.last ?? 0) <= 1 && (d.first ?? 1) <= 65535
        let (result, out, outHalf) = output(a.shape, storedAs: .propagated(a, b), kernelStoresHalf: vectorised)
        guard a.count > 0 else { return finished(result) }
        let (ra, rb) = (texelOperand(a), texelOperand(b))
        if vectorised {
            stream.dispatch(BroadcastBinaryVec4Params(d1: Self.u(d[1]), d2v: Self.u(d[2] / 4), s0: Self.u(s[0]), s1: Self.u(s[1]),
                                                      s2: Self.u(s[2]), aOffset: ra.texelOffset, bOffset: rb.scalarOffset,
                                                      multiply: multiply ? 1 : 0, inner: Self.u(d[1] * d[2] / 4), outHalf: outHalf),
                            storage: [out], texels: [ra.view, rb.scalarView],
                            groups: Self.grid(inner: d[1] * d[2] / 4, z: d[0]))
            return finished(result)
        }
        stream.dispatch(BroadcastBinaryParams(count: Self.u(a.count), rank: Self.u(dims.count), multiply: multiply ? 1 : 0,
                                              dims: Self.six(dims), bStrides: Self.six(strides)),
                        storage: [out, fp32Values(ra), fp32Values(rb)], groups: Self.grid(a.count))
        return finished(result)
    }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let (result, out, outHalf) = output(x.shape, storedAs: x.precision, kernelStoresHalf: true)
        guard x.count > 0 else { return finished(result) }
        let code: UInt32
        switch kind {
        case .silu: code = 0
        case .gelu: code = 1
        case .quickGelu: code = 2
        case .relu: code = 3
        }
        let count4 = (x.count + 3) / 4, rx = texelOperand(x)
        stream.dispatch(ActivationParams(count4: Self.u(count4), kind: code, xOffset: rx.texelOffset, outHalf: outHalf),
                        storage: [out], texels: [rx.view], groups: Self.grid(count4))
        return finished(result)
    }

    public func geglu(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        precondition(width % 2 == 0, "geglu needs an even last axis, got \(x.shape)")
        // geglu stores fp16 itself where the half width is even: then each invocation's four outputs (fewer at a
        // row's end) are whole words; an odd half width would split words between rows, so that output is narrowed.
        let (result, out, outHalf) = output(Array(x.shape.dropLast()) + [width / 2], storedAs: x.precision,
                                            kernelStoresHalf: (width / 2) % 2 == 0)
        guard result.count > 0 else { return finished(result) }
        let rows = result.count / (width / 2), rx = texelOperand(x)
        let (perLayer, layers) = Self.fold(rows)
        stream.dispatch(GegluParams(half_: Self.u(width / 2), xOffset: rx.scalarOffset, rowsPerLayer: Self.u(perLayer), rows: Self.u(rows),
                                   outHalf: outHalf),
                        storage: [out], texels: [rx.scalarView],
                        groups: Self.grid(x: (width / 2 + 3) / 4, y: perLayer, z: layers))
        return finished(result)
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

    /// Pads a list of at most six values to a `uint name[6]` push constant.
    static func six(_ values: [Int]) -> (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) {
        precondition(values.count <= 6)
        let w = values.map(u) + [UInt32](repeating: 0, count: 6 - values.count)
        return (w[0], w[1], w[2], w[3], w[4], w[5])
    }
}
