import CVulkan
import Compute

extension VulkanBackend {
    /// From this many rows (or groups) on, normalisations and softmax run one invocation per row on the CPU
    /// device: no shared memory or barriers, which llvmpipe executes much faster; fewer rows use a workgroup per row.
    static let rowKernelThreshold = 16

    /// Whether `rows` rows (or groups) run one invocation each. Only the CPU device's kernel family does: on a GPU
    /// one invocation per row leaves most of the chip idle and reads memory uncoalesced (measured on an H200, the
    /// row kernel's group norm took 14% of a batch-32 UNet forward).
    func usesRowKernels(rows: Int) -> Bool { kernelFamily == .texel && rows >= Self.rowKernelThreshold }

    public func groupNorm(_ x: Tensor, groups: Int, eps: Float, weight: Tensor?, bias: Tensor?, silu: Bool) -> Tensor {
        let (n, c) = (x.shape[0], x.shape[1])
        precondition(c % groups == 0, "groupNorm: \(c) channels do not split into \(groups) groups")
        let spatial = x.shape[2...].reduce(1, *)
        let groupSize = c / groups * spatial
        let vectorised = groupSize % 4 == 0 && spatial % 4 == 0
        let rowKernel = vectorised && usesRowKernels(rows: n * groups)
        // group_norm_rows stores fp16 itself (whole vec4s); group_norm's output is narrowed.
        let (result, out, outHalf) = output(x.shape, storedAs: x.precision, kernelStoresHalf: rowKernel)
        guard x.count > 0 else { return finished(result) }
        if rowKernel {
            let rx = texelOperand(x), (rw, rb) = (weight.map(region) ?? rx.region, bias.map(region) ?? rx.region)
            stream.dispatch(GroupNormRowsParams(group4: Self.u(groupSize / 4), spatial4: Self.u(spatial / 4), channelsPerGroup: Self.u(c / groups),
                                                groups: Self.u(groups), instances: Self.u(n * groups), eps: eps,
                                                hasWeight: weight == nil ? 0 : 1, hasBias: bias == nil ? 0 : 1, silu: silu ? 1 : 0,
                                                xTexel: rx.texelOffset, gammaScalar: rw.scalarOffset, betaScalar: rb.scalarOffset, outHalf: outHalf),
                            storage: [out], texels: [rx.view, rx.view, rw.block.scalarView, rb.block.scalarView],
                            groups: Self.grid(n * groups, width: 8))
            return finished(result)
        }
        let operands = Operands(self, x, weight, bias)
        stream.dispatch(GroupNormParams(groupSize: Self.u(groupSize), spatial: Self.u(spatial), channelsPerGroup: Self.u(c / groups),
                                        groups: Self.u(groups), eps: eps, hasWeight: weight == nil ? 0 : 1, hasBias: bias == nil ? 0 : 1,
                                        silu: silu ? 1 : 0, vectorised: vectorised ? 1 : 0, xTexel: operands.x.texelOffset,
                                        xScalar: operands.x.scalarOffset, gammaOffset: operands.weight.scalarOffset,
                                        betaOffset: operands.bias.scalarOffset),
                        storage: [out], texels: operands.views,
                        groups: Self.grid(n * groups, width: 1))
        return finished(result)
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let width = x.shape.last!
        let rows = x.count / max(width, 1)
        let rowKernel = width % 4 == 0 && usesRowKernels(rows: rows)
        // layer_norm_rows stores fp16 itself (whole vec4s); layer_norm's output is narrowed.
        let (result, out, outHalf) = output(x.shape, storedAs: x.precision, kernelStoresHalf: rowKernel)
        guard x.count > 0 else { return finished(result) }
        if rowKernel {
            let rx = texelOperand(x), (rw, rb) = (weight.map(region) ?? rx.region, bias.map(region) ?? rx.region)
            stream.dispatch(LayerNormRowsParams(width4: Self.u(width / 4), rows: Self.u(rows), xTexel: rx.texelOffset, eps: eps,
                                                hasWeight: weight == nil ? 0 : 1, hasBias: bias == nil ? 0 : 1,
                                                gammaTexel: rw.texelOffset, betaTexel: rb.texelOffset, outHalf: outHalf),
                            storage: [out], texels: [rx.view, rx.view, rw.block.view, rb.block.view],
                            groups: Self.grid(rows, width: 8))
            return finished(result)
        }
        let operands = Operands(self, x, weight, bias)
        stream.dispatch(LayerNormParams(width: Self.u(width), eps: eps, hasWeight: weight == nil ? 0 : 1, hasBias: bias == nil ? 0 : 1,
                                        vectorised: width % 4 == 0 ? 1 : 0, xTexel: operands.x.texelOffset, xScalar: operands.x.scalarOffset,
                                        gammaOffset: operands.weight.scalarOffset, betaOffset: operands.bias.scalarOffset),
                        storage: [out], texels: operands.views,
                        groups: Self.grid(x.count / width, width: 1))
        return finished(result)
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        let rows = x.count / max(width, 1)
        let rowKernel = width % 4 == 0 && usesRowKernels(rows: rows)
        // softmax_rows stores fp16 itself (whole vec4s); softmax's output is narrowed.
        let (result, out, outHalf) = output(x.shape, storedAs: x.precision, kernelStoresHalf: rowKernel)
        guard x.count > 0 else { return finished(result) }
        if rowKernel {
            let rx = texelOperand(x)
            stream.dispatch(SoftmaxRowsParams(width4: Self.u(width / 4), rows: Self.u(rows), xTexel: rx.texelOffset, outHalf: outHalf),
                            storage: [out], texels: [rx.view], groups: Self.grid(rows, width: 8))
            return finished(result)
        }
        let rx = texelOperand(x)
        stream.dispatch(SoftmaxParams(width: Self.u(width), vectorised: width % 4 == 0 ? 1 : 0, xTexel: rx.texelOffset, xScalar: rx.scalarOffset),
                        storage: [out], texels: [rx.view, rx.scalarView],
                        groups: Self.grid(x.count / width, width: 1))
        return finished(result)
    }

    /// x, and the affine weight and bias (x again where absent; the kernel is told not to read them), each region
    /// taken once so that the views and the offsets pushed name the same memory.
    private struct Operands {
        let x: TexelOperand, weight: DeviceRegion, bias: DeviceRegion
        init(_ backend: VulkanBackend, _ x: Tensor, _ weight: Tensor?, _ bias: Tensor?) {
            self.x = backend.texelOperand(x)
            self.weight = weight.map(backend.region) ?? self.x.region
            self.bias = bias.map(backend.region) ?? self.x.region
        }

        /// Texel bindings 4...7: x as vec4 and as scalars, then the weight and the bias as scalars.
        var views: [VkBufferView] { [x.view, x.scalarView, weight.block.scalarView, bias.block.scalarView] }
    }
}
