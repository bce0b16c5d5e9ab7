import Compute

/// GEMM and convolution through the kernel family of the device (`KernelFamily`): texel-buffer register-tiled
/// kernels (`gemm_texel`, `conv2d_texel`) or shared-memory tiled ones (`gemm_shared`, `conv2d_shared`).
/// Operands are brought into the kernels' layouts by `strided_gather`: K padded to a multiple of 4 for A,
/// B as [K][N] padded to whole tiles, the conv input as NHWC with its zero border. Weights are repacked once,
/// in place of their row-major values (`packed(_:_:)`).
extension VulkanBackend {
    /// Output channels (columns) per invocation: TNV vec4s in the kernels.
    static let columnTile = 16
    /// Output rows per invocation: TM in gemm_texel (16 measured 8% faster than 8 on the Winograd products of the
    /// ddpm-cifar10-32 UNet on lavapipe: each weight texel fetched serves twice the rows).
    static let rowTile = 16
    /// Output pixels per invocation: TM in conv2d_texel (16 measured as fast as 8 or 5–10% faster on llvmpipe: the
    /// tile holds 64 vec4 accumulators, which spill, but each weight texel fetched then serves twice as many pixels).
    static let convRowTile = 16
    /// Invocations per workgroup of the flat-numbered texel kernels (one 8-lane SIMD row on llvmpipe).
    static let invocationsPerGroup = 8

    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: ConvPadding) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4, "conv2d takes x [N, C, H, W] and weight [Co, Ci, kh, kw]")
        let (n, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, wci, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
        precondition(wci == ci, "conv2d weight \(weight.shape) does not take \(ci) input channels")
        precondition(stride >= 1, "conv2d stride \(stride)")
        let ho = padding.outputLength(h, kernel: kh, stride: stride)
        let wo = padding.outputLength(w, kernel: kw, stride: stride)
        precondition(ho > 0 && wo > 0, "conv2d kernel \(kh)×\(kw) does not fit \(h)×\(w) with padding \(padding)")
        let cip = Self.roundUp(ci, 4), cop = Self.roundUp(co, Self.columnTile)
        let winograd = usesWinograd(n: n, ci: ci, co: co, kh: kh, kw: kw, stride: stride, ho: ho, wo: wo)
        let weightLayout = PackedLayout.convolution(co: co, ci: ci, taps: kh * kw, cip: cip, cop: cop, precision: packedPrecision(of: weight))
        let cooperative = !winograd && usesCooperativeMatrices && weightLayout.precision == .fp16
        // fp16 stores: winograd_output pairs the columns of a row, conv2d_texel and conv2d_shared the pixels of a
        // plane (so each must be even); the cooperative-matrix kernel writes fp32 (narrowed by the pass).
        let storesHalf = winograd ? wo % 2 == 0 : !cooperative && (ho * wo) % 2 == 0
        let (result, out, outHalf) = output([n, co, ho, wo], storedAs: x.precision, kernelStoresHalf: storesHalf)
        // The packed input carries the whole zero border, so the kernels read it without bounds checks.
        let (hp, wp) = (h + padding.before + padding.after, w + padding.before + padding.after)

        let packedInput = allocate(floats: n * hp * wp * cip, for: "the padded NHWC input of conv2d \(x.shape)")
        if w % 4 == 0 && n <= 65535 {
            // 4 × 4 blocks through vec4 reads and stores; the border is zero-filled first.
            if padding != .symmetric(0) { stream.zero(packedInput) }
            let rx = texelOperand(x), inner = h * (w / 4) * (cip / 4)
            stream.dispatch(NchwToNhwcParams(C: Self.u(ci), H: Self.u(h), W4: Self.u(w / 4), Cip4: Self.u(cip / 4),
                                             before: Self.u(padding.before), after: Self.u(padding.after), xTexel: rx.texelOffset,
                                             inner: Self.u(inner)),
                            storage: [packedInput], texels: [rx.view],
                            groups: Self.grid(inner: inner, z: n))
        } else {
            gather(into: packedInput, from: texelOperand(x), dims: [n, hp, wp, cip], strides: [ci * h * w, w, 1, h * w],
                   low: [0, padding.before, padding.before, 0], extent: [n, h, w, ci])
        }

        if winograd {
            winogradConv2d(out: out, outHalf: outHalf, packedInput: packedInput, weight: weight, bias: bias, n: n, ci: ci, co: co, hp: hp, wp: wp)
            return finished(result)
        }
        let packedWeight = packed(weight, weightLayout)
        if cooperative {
            let input = CooperativeMatrixInput(region: packedInput, half: false, images: n, ho: ho, wo: wo, hp: hp, wp: wp, cip: cip, kw: kw, stride: stride)
            cooperativeMatrixProduct(out: out, input: input, weight: packedWeight, bias: bias.map(region), kp: kh * kw * cip, n: co, np: cop, channelsFirst: true)
            return finished(result)
        }
        let pixels = n * ho * wo
        if kernelFamily == .shared {
            let groups = (Self.roundUp(pixels, 64) / 64, Self.roundUp(cop, 64) / 64)
            precondition(groups.0 <= 65535, "conv2d output of \(pixels) pixels is too large for one dispatch; use a smaller batch")
            stream.dispatch(Conv2dSharedParams(pixels: Self.u(pixels), Ho: Self.u(ho), Wo: Self.u(wo), Hp: Self.u(hp), Wp: Self.u(wp),
                                               Cip: Self.u(cip), Cop: Self.u(cop), Co: Self.u(co), kw: Self.u(kw), stride: Self.u(stride),
                                               K: Self.u(kh * kw * cip), hasBias: bias == nil ? 0 : 1,
                                               wHalf: weightLayout.precision == .fp16 ? 1 : 0, outHalf: outHalf),
                            storage: [out, packedInput, packedWeight, bias.map(region)],
                            groups: (Self.u(groups.0), Self.u(groups.1), 1))
            return finished(result)
        }
        let pixelTiles = Self.roundUp(pixels, Self.convRowTile) / Self.convRowTile, channelTiles = cop / Self.columnTile
        // Adjacent invocations share a SIMD row: along pixels unless there are fewer pixel tiles than lanes.
        let channelsInner = pixelTiles < Self.invocationsPerGroup
        let biasRegion = bias.map(region) ?? packedWeight
        stream.dispatch(Conv2dTexelParams(pixels: Self.u(pixels), Ho: Self.u(ho), Wo: Self.u(wo), Hp: Self.u(hp), Wp: Self.u(wp),
                                          Ci4: Self.u(cip / 4), Co4: Self.u(cop / 4), Co: Self.u(co), kh: Self.u(kh), kw: Self.u(kw),
                                          stride: Self.u(stride), aOffset: packedInput.texelOffset,
                                          wOffset: weightLayout.precision == .fp16 ? packedWeight.halfTexelOffset : packedWeight.texelOffset,
                                          hasBias: bias == nil ? 0 : 1, biasOffset: biasRegion.texelOffset, pixelTiles: Self.u(pixelTiles),
                                          channelTiles: Self.u(channelTiles), channelsInner: channelsInner ? 1 : 0, outHalf: outHalf),
                        storage: [out], texels: [packedInput.block.view, weightLayout.precision == .fp16 ? packedWeight.block.halfView! : packedWeight.block.view,
                                                 biasRegion.block.view],
                        groups: Self.grid(pixelTiles * channelTiles, width: Self.invocationsPerGroup))
        return finished(result)
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        precondition(x.shape.last == inputs, "linear weight \(weight.shape) does not take \(x.shape)")
        let rows = x.count / max(inputs, 1)
        let kp = Self.roundUp(inputs, 4), np = Self.roundUp(outputs, Self.columnTile)
        let weightLayout = PackedLayout.transposed(outputs: outputs, inputs: inputs, kp: kp, np: np, precision: packedPrecision(of: weight))
        let cooperative = usesCooperativeMatrices && weightLayout.precision == .fp16
        let (result, out, outHalf) = output(Array(x.shape.dropLast()) + [outputs], storedAs: x.precision,
                                            kernelStoresHalf: !cooperative && gemmStoresHalf(n: outputs))
        guard result.count > 0 else { return finished(result) }
        let packedWeight = packed(weight, weightLayout)
        // An fp16 input with whole texels of K is read as it is; otherwise its fp32 values, padded.
        let halfInput = inputs == kp ? halfGEMMOperand(x) : nil
        let a = halfInput ?? rowOperand(texelOperand(x), batch: 1, rows: rows, k: inputs)
        if cooperative {
            cooperativeMatrixProduct(out: out, input: .rows(a, rows: rows, kp: kp, half: halfInput != nil), weight: packedWeight,
                                     bias: bias.map(region), kp: kp, n: outputs, np: np, channelsFirst: false)
            return finished(result)
        }
        gemm(out: out, a: a, b: packedWeight, bias: bias.map(region), batch: 1, m: rows, n: outputs, k4: kp / 4, n4: np / 4,
             aBatchStride: 0, bBatchStride: 0, scale: 1, aHalf: halfInput != nil, bHalf: weightLayout.precision == .fp16, outHalf: outHalf)
        return finished(result)
    }

    public func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeB: Bool, scale: Float) -> Tensor {
        precondition(a.rank == 3 && b.rank == 3, "batchedMatmul takes [B, M, K] and [B, K, N] (or [B, N, K])")
        let (batch, m, k) = (a.shape[0], a.shape[1], a.shape[2])
        let n = transposeB ? b.shape[1] : b.shape[2]
        precondition(b.shape[0] == batch && (transposeB ? b.shape[2] : b.shape[1]) == k,
                     "batchedMatmul of \(a.shape) and \(b.shape) (transposeB \(transposeB))")
        let (result, out, outHalf) = output([batch, m, n], storedAs: .propagated(a, b), kernelStoresHalf: gemmStoresHalf(n: n))
        guard result.count > 0 else { return finished(result) }
        let kp = Self.roundUp(k, 4), np = Self.roundUp(n, Self.columnTile)
        // fp16 operands in the kernels' layouts are read as they are (`halfGEMMOperand`); others as fp32 values.
        let halfA = k == kp ? halfGEMMOperand(a) : nil
        let aOperand = halfA ?? rowOperand(texelOperand(a), batch: batch, rows: m, k: k)
        let halfB = k == kp && n == np ? halfGEMMOperand(b) : nil
        if transposeB && kernelFamily == .texel && k == kp && n == np {
            // Bᵀ read as it is: the kernel transposes 4 × 4 texel blocks in registers (q·kᵀ in attention).
            gemm(out: out, a: aOperand, b: halfB ?? region(b), bias: nil, batch: batch, m: m, n: n, k4: kp / 4, n4: np / 4,
                 aBatchStride: m * kp / 4, bBatchStride: n * kp / 4, scale: scale, bTransposed: true, aHalf: halfA != nil, bHalf: halfB != nil,
                 outHalf: outHalf)
            return finished(result)
        }
        var bHalf = false
        let bOperand: DeviceRegion
        if !transposeB && k == kp && n == np {
            bOperand = halfB ?? region(b)
            bHalf = halfB != nil
        } else {
            bOperand = allocate(floats: batch * kp * np, for: "the packed right operand of batchedMatmul \(b.shape)")
            gather(into: bOperand, from: texelOperand(b), dims: [batch, kp, np],
                   strides: transposeB ? [n * k, 1, k] : [k * n, n, 1], extent: [batch, k, n])
        }
        gemm(out: out, a: aOperand, b: bOperand, bias: nil, batch: batch, m: m, n: n, k4: kp / 4, n4: np / 4,
             aBatchStride: m * kp / 4, bBatchStride: kp * np / 4, scale: scale, aHalf: halfA != nil, bHalf: bHalf, outHalf: outHalf)
        return finished(result)
    }

    /// A [batch][rows][k] operand with k padded to a multiple of 4 (the tensor itself when it already is).
    /// fp32 values, so that kernels without an fp16 path read them.
    private func rowOperand(_ source: TexelOperand, batch: Int, rows: Int, k: Int) -> DeviceRegion {
        let kp = Self.roundUp(k, 4)
        if kp == k { return fp32Values(source) }
        let packed = allocate(floats: batch * rows * kp)
        gather(into: packed, from: source, dims: [batch * rows, kp], strides: [k, 1], extent: [batch * rows, k])
        return packed
    }

    /// Whether `gemm` stores an fp16 product of `n` columns itself: both kernels pair the columns of a row, so n even.
    func gemmStoresHalf(n: Int) -> Bool { n % 2 == 0 }

    /// `outHalf` 1 stores C as fp16 (only where `gemmStoresHalf`).
    func gemm(out: DeviceRegion, a: DeviceRegion, b: DeviceRegion, bias: DeviceRegion?, batch: Int, m: Int, n: Int,
              k4: Int, n4: Int, aBatchStride: Int, bBatchStride: Int, scale: Float, bTransposed: Bool = false, aHalf: Bool = false,
              bHalf: Bool = false, outHalf: UInt32 = 0) {
        precondition(outHalf == 0 || gemmStoresHalf(n: n), "gemm of \(n) columns cannot store fp16 itself")
        if kernelFamily == .shared {
            precondition(Self.roundUp(m, 64) / 64 <= 65535 && batch <= 65535, "matrix product of \(batch)×\(m) rows is too large for one dispatch")
            stream.dispatch(GemmSharedParams(M: Self.u(m), N: Self.u(n), Kp: Self.u(4 * k4), Np: Self.u(4 * n4),
                                             aBatchStride: Self.u(4 * aBatchStride), bBatchStride: Self.u(4 * bBatchStride),
                                             scale: scale, hasBias: bias == nil ? 0 : 1, bHalf: bHalf ? 1 : 0, aHalf: aHalf ? 1 : 0,
                                             outHalf: outHalf),
                            storage: [out, a, b, bias],
                            groups: (Self.u(Self.roundUp(m, 64) / 64), Self.u(Self.roundUp(4 * n4, 64) / 64), Self.u(batch)))
            return
        }
        let rowTiles = Self.roundUp(m, Self.rowTile) / Self.rowTile, columnTiles = n4 * 4 / Self.columnTile
        // Adjacent invocations share a SIMD row: along rows unless there are fewer row tiles than lanes.
        let columnsInner = rowTiles < Self.invocationsPerGroup
        let biasRegion = bias ?? b
        stream.dispatch(GemmTexelParams(M: Self.u(m), N: Self.u(n), K4: Self.u(k4), N4: Self.u(n4), aOffset: aHalf ? a.halfTexelOffset : a.texelOffset,
                                        bOffset: bHalf ? b.halfTexelOffset : b.texelOffset, aBatchStride: Self.u(aBatchStride), bBatchStride: Self.u(bBatchStride),
                                        scale: scale, hasBias: bias == nil ? 0 : 1, biasOffset: biasRegion.texelOffset,
                                        rowTiles: Self.u(rowTiles), columnTiles: Self.u(columnTiles), columnsInner: columnsInner ? 1 : 0,
                                        batches: Self.u(batch), bTransposed: bTransposed ? 1 : 0, outHalf: outHalf),
                        storage: [out], texels: [aHalf ? a.block.halfView! : a.block.view, bHalf ? b.block.halfView! : b.block.view, biasRegion.block.view],
                        groups: Self.grid(rowTiles * columnTiles * batch, width: Self.invocationsPerGroup))
    }
}
