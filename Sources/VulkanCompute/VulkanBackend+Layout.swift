import Compute

extension VulkanBackend {
    public func permute(_ x: Tensor, _ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<x.rank), "permute order \(order) does not fit \(x.shape)")
        let outShape = order.map { x.shape[$0] }
        let inStrides = Broadcast.rowMajorStrides(x.shape)
        let (dims, strides) = Self.collapse(dims: outShape, strides: order.map { inStrides[$0] })
        let (result, out, outHalf) = output(outShape, storedAs: x.precision, kernelStoresHalf: gatherStoresHalf(dims: dims))
        guard x.count > 0 else { return finished(result) }
        gather(into: out, from: texelOperand(x), dims: dims, strides: strides, outHalf: outHalf)
        return finished(result)
    }

    /// out[coordinates over `dims`] = src[srcOffset + Σ (coordinate − low)·stride], zero where a coordinate lies
    /// outside [low, low + extent) (the default: every coordinate inside, nothing shifted).
    func gather(into out: DeviceRegion, from src: DeviceRegion, dims: [Int], strides: [Int],
                low: [Int]? = nil, extent: [Int]? = nil, srcOffset: Int = 0) {
        gather(into: out, from: TexelOperand(fp32: src, count: src.size / 4), dims: dims, strides: strides, low: low, extent: extent,
               srcOffset: srcOffset)
    }

    /// Whether `gather` over `dims` stores fp16 itself (`outHalf`): strided_gather does, in pairs along the last
    /// axis, so where it runs (rank ≤ 6 once padded to 3, grid-sized outer axes) and the last axis is even.
    func gatherStoresHalf(dims: [Int]) -> Bool {
        guard let last = dims.last, dims.count <= 6 else { return false }
        return dims.dropLast(2).reduce(1, *) <= 65535 && last % 2 == 0
    }

    /// The same from a tensor's values at their precision (`texelOperand`); `outHalf` 1 stores fp16 (only where
    /// `gatherStoresHalf`).
    func gather(into out: DeviceRegion, from src: TexelOperand, dims: [Int], strides: [Int],
                low: [Int]? = nil, extent: [Int]? = nil, srcOffset: Int = 0, outHalf: UInt32 = 0) {
        let count = dims.reduce(1, *)
        precondition(count * (outHalf != 0 ? 2 : 4) <= out.size && dims.count <= 6)
        precondition(outHalf == 0 || gatherStoresHalf(dims: dims), "gather over \(dims) cannot store fp16 itself")
        guard count > 0 else { return }
        // The fast kernel wants rank ≥ 3 (unit axes in front are free) and grid-sized outer axes.
        let pad = max(0, 3 - dims.count)
        let d = [Int](repeating: 1, count: pad) + dims
        let s = [Int](repeating: 0, count: pad) + strides
        let l = [Int](repeating: 0, count: pad) + (low ?? dims.map { _ in 0 })
        let e = [Int](repeating: 1, count: pad) + (extent ?? dims)
        let outer = d.dropLast(2).reduce(1, *)
        let chunks = (d.last! + 3) / 4
        if d.count <= 6, outer <= 65535 {
            stream.dispatch(StridedGatherParams(rank: Self.u(d.count), srcOffset: src.scalarOffset + Self.u(srcOffset),
                                                lastIsVec4: d.last! % 4 == 0 ? 1 : 0, chunks: Self.u(chunks),
                                                inner: Self.u(chunks * d[d.count - 2]),
                                                dims: Self.six(d), strides: Self.six(s), low: Self.six(l), extent: Self.six(e),
                                                outHalf: outHalf),
                            storage: [out], texels: [src.scalarView],
                            groups: Self.grid(inner: chunks * d[d.count - 2], z: outer))
            return
        }
        stream.dispatch(StridedGatherFlatParams(count: Self.u(count), rank: Self.u(dims.count), srcOffset: Self.u(srcOffset),
                                                dims: Self.six(dims), strides: Self.six(strides),
                                                low: Self.six(low ?? dims.map { _ in 0 }), extent: Self.six(extent ?? dims)),
                        storage: [out, fp32Values(src)],
                        groups: Self.grid(count))
    }

    public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat needs at least one tensor")
        let first = tensors[0].shape
        for t in tensors {
            precondition(t.rank == first.count && (0..<first.count).allSatisfy { $0 == axis || t.shape[$0] == first[$0] },
                         "concat along \(axis) of \(first) and \(t.shape)")
        }
        var shape = first
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let outer = first[..<axis].reduce(1, *)
        let inner = first[(axis + 1)...].reduce(1, *)
        // Every piece through copy_rows_vec4, which stores fp16 itself; otherwise the fp32 output is narrowed.
        var offsets = [0]
        for t in tensors.dropLast() { offsets.append(offsets.last! + t.shape[axis] * inner) }
        let operands = tensors.map(texelOperand)
        let storesHalf = zip(tensors, zip(operands, offsets)).allSatisfy { t, piece in
            let width = t.shape[axis] * inner
            return Self.copiesTexels(width: width, srcOffset: Int(piece.0.scalarOffset), srcStride: width,
                                     dstOffset: piece.1, dstStride: shape[axis] * inner)
        }
        let (result, out, outHalf) = output(shape, storedAs: .propagated(tensors), kernelStoresHalf: storesHalf)
        for (t, (operand, offset)) in zip(tensors, zip(operands, offsets)) {
            let width = t.shape[axis] * inner
            copyRows(into: out, from: operand, rows: outer, width: width,
                     srcOffset: 0, srcStride: width, dstOffset: offset, dstStride: shape[axis] * inner, outHalf: outHalf)
        }
        return finished(result)
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[axis], "slice \(range) out of \(x.shape) on axis \(axis)")
        var shape = x.shape
        shape[axis] = range.count
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let rx = texelOperand(x)
        let storesHalf = Self.copiesTexels(width: range.count * inner, srcOffset: Int(rx.scalarOffset) + range.lowerBound * inner,
                                           srcStride: x.shape[axis] * inner, dstOffset: 0, dstStride: range.count * inner)
        let (result, out, outHalf) = output(shape, storedAs: x.precision, kernelStoresHalf: storesHalf)
        copyRows(into: out, from: rx, rows: outer, width: range.count * inner,
                 srcOffset: range.lowerBound * inner, srcStride: x.shape[axis] * inner, dstOffset: 0, dstStride: range.count * inner,
                 outHalf: outHalf)
        return finished(result)
    }

    /// Whether `copyRows` runs copy_rows_vec4 (whole texels on both sides; `srcOffset` counted from the start of the
    /// source's block), the copy kernel that stores fp16 itself.
    static func copiesTexels(width: Int, srcOffset: Int, srcStride: Int, dstOffset: Int, dstStride: Int) -> Bool {
        width % 4 == 0 && dstOffset % 4 == 0 && dstStride % 4 == 0 && srcOffset % 4 == 0 && srcStride % 4 == 0
    }

    /// `outHalf` 1 stores fp16 (only where `copiesTexels`).
    private func copyRows(into out: DeviceRegion, from src: TexelOperand, rows: Int, width: Int,
                          srcOffset: Int, srcStride: Int, dstOffset: Int, dstStride: Int, outHalf: UInt32 = 0) {
        guard rows * width > 0 else { return }
        let aligned = width % 4 == 0 && dstOffset % 4 == 0 && dstStride % 4 == 0
        let srcAligned = width % 4 == 0 && srcOffset % 4 == 0 && srcStride % 4 == 0
        let (perLayer, layers) = Self.fold(rows)
        let sourceStart = Int(src.scalarOffset) + srcOffset
        let texels = Self.copiesTexels(width: width, srcOffset: sourceStart, srcStride: srcStride, dstOffset: dstOffset, dstStride: dstStride)
        precondition(outHalf == 0 || texels, "copy_rows cannot store fp16 itself")
        if texels {
            stream.dispatch(CopyRowsVec4Params(width4: Self.u(width / 4), rows: Self.u(rows), rowsPerLayer: Self.u(perLayer),
                                               srcOffset4: Self.u(sourceStart / 4), srcStride4: Self.u(srcStride / 4),
                                               dstOffset4: Self.u(dstOffset / 4), dstStride4: Self.u(dstStride / 4), outHalf: outHalf),
                            storage: [out], texels: [src.scalarView, src.view],
                            groups: Self.grid(x: width / 4, y: perLayer, z: layers))
            return
        }
        stream.dispatch(CopyRowsParams(width: Self.u(width), rows: Self.u(rows), rowsPerLayer: Self.u(perLayer),
                                       srcOffset: Self.u(Int(src.scalarOffset) + srcOffset), srcStride: Self.u(srcStride),
                                       dstOffset: Self.u(dstOffset), dstStride: Self.u(dstStride), aligned: aligned ? 1 : 0,
                                       srcAligned: srcAligned ? 1 : 0),
                        storage: [out], texels: [src.scalarView, src.view],
                        groups: Self.grid(x: (width + 3) / 4, y: perLayer, z: layers))
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return resample(x, mode: 0, outShape: [n, c, 2 * h, 2 * w])
    }

    public func avgPool2x(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        return resample(x, mode: 1, outShape: [n, c, h / 2, w / 2])
    }

    private func resample(_ x: Tensor, mode: UInt32, outShape: [Int]) -> Tensor {
        precondition(x.rank == 4, "2× resampling takes [N, C, H, W], got \(x.shape)")
        let (result, out) = output(outShape, storedAs: x.precision)
        guard result.count > 0 else { return finished(result) }
        let rx = texelOperand(x)
        stream.dispatch(Resample2xParams(mode: mode, h: Self.u(outShape[2]), w: Self.u(outShape[3]), inH: Self.u(x.shape[2]),
                                         inW: Self.u(x.shape[3]), xOffset: rx.scalarOffset),
                        storage: [out], texels: [rx.scalarView],
                        groups: Self.grid(inner: outShape[2] * outShape[3], z: outShape[0] * outShape[1]))
        return finished(result)
    }

    public func embedding(_ table: Tensor, indices: [Int]) -> Tensor {
        let (rows, width) = (table.shape[0], table.shape[1])
        for index in indices {
            precondition(index >= 0 && index < rows, "embedding index \(index) outside 0..<\(rows)")
        }
        let (result, out) = output([indices.count, width], storedAs: .fp32)
        guard result.count > 0 else { return finished(result) }
        let indexRegion = allocate(floats: indices.count)
        indices.map { UInt32($0) }.withUnsafeBytes { stream.upload($0, to: indexRegion) }
        let rt = region(table)
        stream.dispatch(EmbeddingParams(width: Self.u(width), tableOffset: rt.scalarOffset),
                        storage: [out, indexRegion], texels: [rt.block.scalarView], groups: Self.grid(x: width, y: indices.count))
        return finished(result)
    }
}
