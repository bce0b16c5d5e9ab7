import Compute

/// 3×3 stride-1 convolutions as Winograd F(4×4, 3×3) on the CPU device. Each 4 × 4 output tile comes from a
/// 6 × 6 input patch d as Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, so the 144 multiply-adds per tile and channel pair of
/// the direct convolution become 36, a 4× saving. The elementwise products summed over input channels are 36
/// independent matrix products, [tiles × Cip] · [Cip × Cop], run by the same register-tiled GEMM as `linear`;
/// two light kernels transform the input (`winograd_input`) and the products (`winograd_output`), and the weights
/// are transformed once on the host and kept with the weight tensor. The interpolation points 0, ±1, ±2 and ∞
/// keep fp32 results within about 1e-5 of the direct convolution's (tested against the CPU backend).
extension VulkanBackend {
    /// Fewer input channels than this run directly: the products' reduction would be too short to pay for the
    /// transforms (conv_in's 3 channels).
    static let winogradMinimumChannels = 8

    /// Output tiles of 4 × 4 pixels over a batch (partial tiles at the bottom and right edges included).
    static func winogradTiles(n: Int, ho: Int, wo: Int) -> Int { n * ((ho + 3) / 4) * ((wo + 3) / 4) }

    /// Whether `conv2d` takes the Winograd path: the CPU device's family, a 3×3 stride-1 kernel, enough input
    /// channels, output channels in whole vec4s, and transformed operands that fit one binding each: the input's
    /// and the products' (36 per tile and channel) and the weights' (36 per channel pair, 4× the weight itself,
    /// which rules out SD1.5's 1280-channel convs on lavapipe).
    func usesWinograd(n: Int, ci: Int, co: Int, kh: Int, kw: Int, stride: Int, ho: Int, wo: Int) -> Bool {
        guard winograd, kernelFamily == .texel, kh == 3, kw == 3, stride == 1, ci >= Self.winogradMinimumChannels,
              co % 4 == 0 else { return false }
        let tiles = Self.winogradTiles(n: n, ho: ho, wo: wo)
        let (cip, cop) = (Self.roundUp(ci, 4), Self.roundUp(co, Self.columnTile))
        return 36 * max(tiles * max(cip, cop), cip * cop) * 4 <= maxTensorBytes
    }

    /// The convolution of the padded NHWC input ([n][hp][wp][cip]) into `out` (NCHW [n][co][hp − 2][wp − 2]), as fp16
    /// with `outHalf` 1 (winograd_output pairs the columns of a row: only for an even width).
    func winogradConv2d(out: DeviceRegion, outHalf: UInt32, packedInput: DeviceRegion, weight: Tensor, bias: Tensor?,
                        n: Int, ci: Int, co: Int, hp: Int, wp: Int) {
        let (ho, wo) = (hp - 2, wp - 2)
        let (tilesY, tilesX) = ((ho + 3) / 4, (wo + 3) / 4)
        let tiles = Self.winogradTiles(n: n, ho: ho, wo: wo)
        let cip = Self.roundUp(ci, 4), cop = Self.roundUp(co, Self.columnTile)
        let transformedWeight = winogradWeights(weight, ci: ci, co: co, cip: cip, cop: cop)
        let v = allocate(floats: 36 * tiles * cip, for: "the Winograd-transformed input of conv2d on \(n)×\(ci)×\(ho)×\(wo)")
        stream.dispatch(WinogradInputParams(tiles: Self.u(tiles), tilesX: Self.u(tilesX), tilesY: Self.u(tilesY), Hp: Self.u(hp),
                                            Wp: Self.u(wp), Cip4: Self.u(cip / 4), xTexel: packedInput.texelOffset),
                        storage: [v], texels: [packedInput.block.view],
                        groups: Self.grid(tiles * cip / 4))
        let m = allocate(floats: 36 * tiles * co, for: "the Winograd products of conv2d on \(n)×\(co)×\(ho)×\(wo)")
        gemm(out: m, a: v, b: transformedWeight, bias: nil, batch: 36, m: tiles, n: co, k4: cip / 4, n4: cop / 4,
             aBatchStride: tiles * cip / 4, bBatchStride: cip * cop / 4, scale: 1)
        let biasRegion = bias.map(region) ?? m
        stream.dispatch(WinogradOutputParams(tiles: Self.u(tiles), tilesX: Self.u(tilesX), tilesY: Self.u(tilesY), Ho: Self.u(ho),
                                             Wo: Self.u(wo), Co4: Self.u(co / 4), mTexel: m.texelOffset, hasBias: bias == nil ? 0 : 1,
                                             biasTexel: biasRegion.texelOffset, outHalf: outHalf),
                        storage: [out], texels: [m.block.view, biasRegion.block.view],
                        groups: Self.grid(tiles * co / 4))
    }

    /// The weight's transform U, made on the host the first time and kept with the weight (beside its other
    /// layouts: U cannot be gathered back into the weight's values, and is 4× their size).
    private func winogradWeights(_ weight: Tensor, ci: Int, co: Int, cip: Int, cop: Int) -> DeviceRegion {
        let storage = self.storage(weight)
        if let cached = storage.winograd[weight.shape] { return cached }
        let region = allocate(floats: 36 * cip * cop, for: "the Winograd transform of a \(weight.shape) weight")
        let u = Self.winogradWeights(weight.values(), ci: ci, co: co, cip: cip, cop: cop)
        u.withUnsafeBytes { stream.upload($0, to: region) }
        storage.winograd[weight.shape] = region
        return region
    }

    /// G of F(4×4, 3×3): the weights' transform, 6 × 3, row-major (G[r][k] at 3r + k).
    static let winogradG: [Double] = [
        1.0 / 4, 0, 0,
        -1.0 / 6, -1.0 / 6, -1.0 / 6,
        -1.0 / 6, 1.0 / 6, -1.0 / 6,
        1.0 / 24, 1.0 / 12, 1.0 / 6,
        1.0 / 24, -1.0 / 12, 1.0 / 6,
        0, 0, 1,
    ]

    /// U = G g Gᵀ for every (input, output) channel pair of a [co][ci][3][3] weight, laid out [36][cip][cop] with
    /// zeros in the padding (computed in double precision, then rounded once). Flat loops over raw buffers: nested
    /// arrays and closures per channel pair made this seconds per network load in debug builds. Each sum starts
    /// from zero and adds its three terms in order, so the values stay bit-for-bit those of the textbook form.
    static func winogradWeights(_ weight: [Float], ci: Int, co: Int, cip: Int, cop: Int) -> [Float] {
        precondition(weight.count == co * ci * 9 && ci <= cip && co <= cop, "a [\(co)][\(ci)][3][3] weight")
        var u = [Float](repeating: 0, count: 36 * cip * cop)
        weight.withUnsafeBufferPointer { w in
            winogradG.withUnsafeBufferPointer { g in
                u.withUnsafeMutableBufferPointer { u in
                    var gk = [Double](repeating: 0, count: 18)
                    gk.withUnsafeMutableBufferPointer { gk in
                        for o in 0..<co {
                            for i in 0..<ci {
                                let base = (o * ci + i) * 9
                                // G k: 6 × 3, then (G k) Gᵀ: 6 × 6.
                                for r in 0..<6 {
                                    for c in 0..<3 {
                                        var sum = 0.0
                                        sum += g[3 * r] * Double(w[base + c])
                                        sum += g[3 * r + 1] * Double(w[base + 3 + c])
                                        sum += g[3 * r + 2] * Double(w[base + 6 + c])
                                        gk[3 * r + c] = sum
                                    }
                                }
                                for r in 0..<6 {
                                    for c in 0..<6 {
                                        var sum = 0.0
                                        sum += gk[3 * r] * g[3 * c]
                                        sum += gk[3 * r + 1] * g[3 * c + 1]
                                        sum += gk[3 * r + 2] * g[3 * c + 2]
                                        u[((6 * r + c) * cip + i) * cop + o] = Float(sum)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return u
    }
}
