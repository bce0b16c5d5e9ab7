import Compute

/// 3×3 stride-1 convolutions as Winograd F(2×2, 3×3) on the CPU device. Each 2 × 2 output tile comes from a
/// 4 × 4 input patch d as Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, so the 36 multiply-adds per output pixel and channel
/// pair of the direct convolution become 16 per tile, a 2.25× saving. The elementwise products summed over input
/// channels are 16 independent matrix products, [tiles × Cip] · [Cip × Cop], run by the same register-tiled GEMM
/// as `linear`; two light kernels transform the input (`winograd_input`) and the products (`winograd_output`),
/// and the weights are transformed once on the host and kept with the weight tensor.
extension VulkanBackend {
    /// Fewer input channels than this run directly: the products' reduction would be too short to pay for the
    /// transforms (conv_in's 3 channels).
    static let winogradMinimumChannels = 8

    /// Whether `conv2d` takes the Winograd path: the CPU device's family, a 3×3 stride-1 kernel, enough input
    /// channels, output channels in whole vec4s, and transformed operands that fit one binding each.
    func usesWinograd(ci: Int, co: Int, kh: Int, kw: Int, stride: Int, tiles: Int) -> Bool {
        guard winograd, kernelFamily == .texel, kh == 3, kw == 3, stride == 1, ci >= Self.winogradMinimumChannels,
              co % 4 == 0 else { return false }
        return 16 * tiles * max(Self.roundUp(ci, 4), Self.roundUp(co, Self.columnTile)) * 4 <= maxTensorBytes
    }

    /// The convolution of the padded NHWC input ([n][hp][wp][cip]) into `out` (NCHW [n][co][hp − 2][wp − 2]).
    func winogradConv2d(out: DeviceRegion, packedInput: DeviceRegion, weight: Tensor, bias: Tensor?,
                        n: Int, ci: Int, co: Int, hp: Int, wp: Int) {
        let (ho, wo) = (hp - 2, wp - 2)
        let (tilesY, tilesX) = ((ho + 1) / 2, (wo + 1) / 2)
        let tiles = n * tilesY * tilesX
        let cip = Self.roundUp(ci, 4), cop = Self.roundUp(co, Self.columnTile)
        let transformedWeight = derived(weight, key: "winograd \(weight.shape)", floats: 16 * cip * cop) { packed, _ in
            let u = Self.winogradWeights(weight.values(), ci: ci, co: co, cip: cip, cop: cop)
            u.withUnsafeBytes { stream.upload($0, to: packed) }
        }
        let v = allocate(floats: 16 * tiles * cip, for: "the Winograd-transformed input of conv2d on \(n)×\(ci)×\(ho)×\(wo)")
        stream.dispatch(.winogradInput, storage: [v], texels: [packedInput.block.view],
                        push: [tiles, tilesX, tilesY, hp, wp, cip / 4, Int(packedInput.texelOffset)].map(Self.u),
                        groups: Self.grid(tiles * cip / 4))
        let m = allocate(floats: 16 * tiles * co, for: "the Winograd products of conv2d on \(n)×\(co)×\(ho)×\(wo)")
        gemm(out: m, a: v, b: transformedWeight, bias: nil, batch: 16, m: tiles, n: co, k4: cip / 4, n4: cop / 4,
             aBatchStride: tiles * cip / 4, bBatchStride: cip * cop / 4, scale: 1)
        let biasRegion = bias.map(region) ?? m
        stream.dispatch(.winogradOutput, storage: [out], texels: [m.block.view, biasRegion.block.view],
                        push: [tiles, tilesX, tilesY, ho, wo, co / 4, Int(m.texelOffset), bias == nil ? 0 : 1,
                               Int(biasRegion.texelOffset)].map(Self.u),
                        groups: Self.grid(tiles * co / 4))
    }

    /// U = G g Gᵀ for every (input, output) channel pair of a [co][ci][3][3] weight, laid out [16][cip][cop] with
    /// zeros in the padding; G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    static func winogradWeights(_ weight: [Float], ci: Int, co: Int, cip: Int, cop: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 16 * cip * cop)
        for o in 0..<co {
            for i in 0..<ci {
                let g = weight[((o * ci) + i) * 9..<((o * ci) + i + 1) * 9].map(Double.init)
                // G g: 4 × 3.
                var gg = [Double](repeating: 0, count: 12)
                for c in 0..<3 {
                    let (g0, g1, g2) = (g[c], g[3 + c], g[6 + c])
                    gg[c] = g0
                    gg[3 + c] = (g0 + g1 + g2) / 2
                    gg[6 + c] = (g0 - g1 + g2) / 2
                    gg[9 + c] = g2
                }
                // (G g) Gᵀ: 4 × 4.
                for r in 0..<4 {
                    let (a0, a1, a2) = (gg[3 * r], gg[3 * r + 1], gg[3 * r + 2])
                    let row = [a0, (a0 + a1 + a2) / 2, (a0 - a1 + a2) / 2, a2]
                    for c in 0..<4 { u[((4 * r + c) * cip + i) * cop + o] = Float(row[c]) }
                }
            }
        }
        return u
    }
}
