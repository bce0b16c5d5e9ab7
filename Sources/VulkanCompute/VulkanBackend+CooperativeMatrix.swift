import Compute

/// fp16-weight linear layers and convolutions on cooperative matrices (`conv2d_coopmat_nv.comp`, tensor cores on
/// NVIDIA GPUs): fp16 operands, fp32 accumulation, fp32 output. Opt-in (`BELM_VULKAN_COOPMAT=1`) and only where the
/// device advertises the kernel's 16 × 16 × 16 fp16 → fp32 shape (`CooperativeMatrixSupport`); everything else,
/// and every device without it, keeps the kernel family's GEMM and convolution. The operands are the layouts those
/// kernels read: the padded NHWC input or [rows][Kp] activations, and the packed fp16 weight [Kp][Np].
extension VulkanBackend {
    /// Output rows and columns per workgroup of the kernel (its BM and BN).
    static let cooperativeMatrixTile = 128

    /// The kernel's left operand, read as an implicit GEMM: row m is output pixel (image, y, x) of an NHWC input
    /// padded to hp × wp × cip, column k is tap·cip + channel. fp32 values are rounded to fp16 as they are staged;
    /// `half` inputs (fp16 activations) are read as they are.
    struct CooperativeMatrixInput {
        let region: DeviceRegion
        let half: Bool
        let images: Int, ho: Int, wo: Int, hp: Int, wp: Int, cip: Int, kw: Int, stride: Int

        /// [rows][kp] activations of a linear layer: the 1 × 1 convolution of one 1 × rows image.
        static func rows(_ region: DeviceRegion, rows: Int, kp: Int, half: Bool = false) -> Self {
            Self(region: region, half: half, images: 1, ho: 1, wo: rows, hp: 1, wp: rows, cip: kp, kw: 1, stride: 1)
        }

        var pixels: Int { images * ho * wo }
    }

    /// out = input ⋆ weight + bias, with `n` of the weight's `np` columns written: NCHW (`channelsFirst`, a
    /// convolution's output) or row-major [pixels][n] (a linear layer's). `kp` is the reduction length, taps · cip.
    func cooperativeMatrixProduct(out: DeviceRegion, input: CooperativeMatrixInput, weight: DeviceRegion, bias: DeviceRegion?,
                                  kp: Int, n: Int, np: Int, channelsFirst: Bool) {
        precondition(usesCooperativeMatrices, "the cooperative-matrix kernel runs only on a device created with it")
        precondition(input.cip > 0 && input.cip % 4 == 0 && kp % input.cip == 0 && np % 16 == 0 && n <= np,
                     "cooperative-matrix operands: cip \(input.cip), Kp \(kp), N \(n), Np \(np)")
        let tile = Self.cooperativeMatrixTile
        let rowGroups = Self.roundUp(input.pixels, tile) / tile
        precondition(rowGroups <= 65535, "a product of \(input.pixels) rows is too large for one dispatch; use a smaller batch")
        stream.dispatch(Conv2dCoopmatNvParams(M: Self.u(input.pixels), N: Self.u(n), Kp: Self.u(kp), Np: Self.u(np), Cip: Self.u(input.cip),
                                              Ho: Self.u(input.ho), Wo: Self.u(input.wo), Hp: Self.u(input.hp), Wp: Self.u(input.wp),
                                              kw: Self.u(input.kw), stride: Self.u(input.stride), channelsFirst: channelsFirst ? 1 : 0,
                                              scale: 1, hasBias: bias == nil ? 0 : 1, aHalf: input.half ? 1 : 0),
                        storage: [out, input.region, weight, bias],
                        groups: (Self.u(rowGroups), Self.u(Self.roundUp(np, tile) / tile), 1))
    }
}
