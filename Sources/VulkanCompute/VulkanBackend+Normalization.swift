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
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        let groupSize = c / groups * spatial
        let vectorised = groupSize % 4 == 0 && spatial % 4 == 0
        if vectorised && usesRowKernels(rows: n * groups) {
            let (rx, rw, rb) = (region(x), region(weight ?? x), region(bias ?? x))
            stream.dispatch(.groupNormRows, storage: [out], texels: [rx.block.view, rx.block.view, rw.block.scalarView, rb.block.scalarView],
                            push: [groupSize / 4, spatial / 4, c / groups, groups, n * groups].map(Self.u)
                                + [Self.f(eps), weight == nil ? 0 : 1, bias == nil ? 0 : 1, silu ? 1 : 0, rx.texelOffset, rw.scalarOffset, rb.scalarOffset],
                            groups: Self.grid(n * groups, width: 8))
            return result
        }
        stream.dispatch(.groupNorm, storage: [out], texels: views(x, weight, bias),
                        push: [Self.u(groupSize), Self.u(spatial), Self.u(c / groups), Self.u(groups), Self.f(eps),
                               weight == nil ? 0 : 1, bias == nil ? 0 : 1, silu ? 1 : 0, vectorised ? 1 : 0] + offsets(x, weight, bias),
                        groups: Self.grid(n * groups, width: 1))
        return result
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        let width = x.shape.last!
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        let rows = x.count / width
        if width % 4 == 0 && usesRowKernels(rows: rows) {
            let (rx, rw, rb) = (region(x), region(weight ?? x), region(bias ?? x))
            stream.dispatch(.layerNormRows, storage: [out], texels: [rx.block.view, rx.block.view, rw.block.view, rb.block.view],
                            push: [Self.u(width / 4), Self.u(rows), rx.texelOffset, Self.f(eps), weight == nil ? 0 : 1, bias == nil ? 0 : 1,
                                   rw.texelOffset, rb.texelOffset],
                            groups: Self.grid(rows, width: 8))
            return result
        }
        stream.dispatch(.layerNorm, storage: [out], texels: views(x, weight, bias),
                        push: [Self.u(width), Self.f(eps), weight == nil ? 0 : 1, bias == nil ? 0 : 1, width % 4 == 0 ? 1 : 0]
                            + offsets(x, weight, bias),
                        groups: Self.grid(x.count / width, width: 1))
        return result
    }

    public func softmax(_ x: Tensor) -> Tensor {
        let width = x.shape.last!
        let (result, out) = output(x.shape)
        guard x.count > 0 else { return result }
        let rows = x.count / width
        if width % 4 == 0 && usesRowKernels(rows: rows) {
            let rx = region(x)
            stream.dispatch(.softmaxRows, storage: [out], texels: [rx.block.view],
                            push: [Self.u(width / 4), Self.u(rows), rx.texelOffset], groups: Self.grid(rows, width: 8))
            return result
        }
        stream.dispatch(.softmax, storage: [out], texels: Array(views(x, nil, nil).prefix(2)),
                        push: [Self.u(width), width % 4 == 0 ? 1 : 0] + offsets(x, nil, nil).prefix(2),
                        groups: Self.grid(x.count / width, width: 1))
        return result
    }

    /// Texel bindings 4...7: x as vec4 and as scalars, then the affine weight and bias as scalars (x again where
    /// absent; the kernel is told not to read them).
    private func views(_ x: Tensor, _ weight: Tensor?, _ bias: Tensor?) -> [VkBufferView] {
        let rx = region(x)
        return [rx.block.view, rx.block.scalarView, region(weight ?? x).block.scalarView, region(bias ?? x).block.scalarView]
    }

    /// The matching push constants: x's texel and scalar offsets, the weight's and the bias' scalar offsets.
    private func offsets(_ x: Tensor, _ weight: Tensor?, _ bias: Tensor?) -> [UInt32] {
        let rx = region(x)
        return [rx.texelOffset, rx.scalarOffset, region(weight ?? x).scalarOffset, region(bias ?? x).scalarOffset]
    }
}
