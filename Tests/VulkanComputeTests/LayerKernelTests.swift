import Compute
import Testing
@testable import VulkanCompute

@Suite struct LayerKernelTests {
    @Test(arguments: [
        // (x shape, weight shape, stride, padding)
        ([2, 3, 7, 9], [5, 3, 3, 3], 1, 1),
        ([2, 3, 7, 9], [5, 3, 3, 3], 2, 1),
        ([1, 6, 5, 5], [17, 6, 1, 1], 1, 0),
        ([1, 4, 6, 6], [8, 4, 3, 3], 1, 0),
        ([1, 20, 8, 8], [33, 20, 3, 3], 2, 1),
        ([3, 5, 4, 3], [2, 5, 2, 3], 1, 2),
        ([1, 16, 16, 16], [32, 16, 3, 3], 1, 1),
        ([1, 8, 20, 20], [70, 8, 3, 3], 1, 1),
        ([2, 5, 8, 8], [7, 5, 3, 3], 1, 1),
        ([1, 6, 16, 16], [17, 6, 1, 1], 1, 0),
        ([1, 3, 9, 17], [4, 3, 2, 2], 1, 0),
        ([1, 4, 10, 16], [6, 4, 1, 3], 1, 1),
        // Enough pixel tiles that adjacent invocations run along pixels, over two images and three channel tiles.
        ([2, 8, 12, 12], [40, 8, 3, 3], 1, 1),
    ])
    func conv2dMatchesReference(x: [Int], w: [Int], stride: Int, padding: Int) throws {
        // Both kernel families, whatever the device would choose.
        for family in KernelFamily.allCases {
            let h = try DifferentialHarness(kernelFamily: family)
            let inputs = [(x, h.random(x.reduce(1, *))), (w, h.random(w.reduce(1, *), scale: 0.3)), ([w[0]], h.random(w[0]))]
            h.check("\(family) conv2d \(x) \(w) s\(stride) p\(padding)", inputs, tolerance: 1e-5) { backend, t in
                backend.conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding)
            }
            h.check("\(family) conv2d without bias", inputs, tolerance: 1e-5) { backend, t in
                backend.conv2d(t[0], weight: t[1], bias: nil, stride: stride, padding: padding)
            }
            h.expectNoValidationMessages()
        }
    }

    /// Unequal padding before and after (diffusers' Downsample2D pads only after), on both packing paths
    /// (width a multiple of 4 or not) and both kernel families.
    @Test(arguments: [
        ([2, 8, 8, 8], [8, 8, 3, 3], 2, 0, 1),
        ([1, 5, 7, 9], [6, 5, 3, 3], 2, 0, 1),
        ([1, 4, 16, 16], [16, 4, 3, 3], 2, 0, 1),
        ([1, 3, 6, 8], [5, 3, 3, 3], 1, 2, 1),
    ])
    func conv2dWithUnequalPaddingMatchesReference(x: [Int], w: [Int], stride: Int, before: Int, after: Int) throws {
        for family in KernelFamily.allCases {
            let h = try DifferentialHarness(kernelFamily: family)
            let inputs = [(x, h.random(x.reduce(1, *))), (w, h.random(w.reduce(1, *), scale: 0.3)), ([w[0]], h.random(w[0]))]
            h.check("\(family) conv2d \(x) \(w) s\(stride) pad \(before)/\(after)", inputs, tolerance: 1e-5) { backend, t in
                backend.conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: ConvPadding(before: before, after: after))
            }
            h.expectNoValidationMessages()
        }
    }

    /// 3×3 stride-1 convolutions on the CPU device's family run as Winograd F(4×4, 3×3): output sizes not a multiple of 4 (partial
    /// tiles), input channels not a multiple of 4, output channels not a multiple of 16, unequal padding.
    @Test(arguments: [
        ([2, 10, 7, 9], [20, 10, 3, 3], 1, 1),
        ([1, 8, 5, 6], [4, 8, 3, 3], 0, 0),
        ([3, 12, 6, 6], [16, 12, 3, 3], 1, 1),
        ([1, 9, 6, 8], [8, 9, 3, 3], 2, 1),
    ])
    func winogradConvolutionMatchesReference(x: [Int], w: [Int], before: Int, after: Int) throws {
        let h = try DifferentialHarness(kernelFamily: .texel)
        h.vulkan.winograd = true
        let inputs = [(x, h.random(x.reduce(1, *))), (w, h.random(w.reduce(1, *), scale: 0.3)), ([w[0]], h.random(w[0]))]
        let padding = ConvPadding(before: before, after: after)
        h.vulkan.profiling = true
        h.check("winograd conv2d \(x) \(w) pad \(before)/\(after)", inputs, tolerance: 1e-5) { backend, t in
            backend.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: padding)
        }
        h.check("winograd conv2d without bias", inputs, tolerance: 1e-5) { backend, t in
            backend.conv2d(t[0], weight: t[1], bias: nil, stride: 1, padding: padding)
        }
        h.vulkan.profiling = false
        let kernels = h.vulkan.takeKernelProfile().map(\.kernel)
        #expect(kernels.contains("winogradInput") && kernels.contains("winogradOutput") && !kernels.contains("conv2dTexel"), "\(kernels)")
        h.expectNoValidationMessages()
    }

    /// Layers whose transformed operands would not fit one binding convolve directly: many tiles (a large batch)
    /// or many channels (the transformed weights are 36 floats per channel pair; SD1.5 has 1280-channel convs).
    @Test func winogradOperandsFitOneBinding() throws {
        let backend = try DifferentialHarness(kernelFamily: .texel).vulkan
        backend.winograd = true
        let limit = backend.maxTensorBytes
        for (n, channels, side) in [(1, 320, 64), (2, 1280, 8), (1, 2560, 8), (32, 128, 32), (2048, 128, 32)] {
            let tiles = n * ((side + 3) / 4) * ((side + 3) / 4)
            let fits = 36 * max(tiles, channels) * channels * 4 <= limit
            let uses = backend.usesWinograd(n: n, ci: channels, co: channels, kh: 3, kw: 3, stride: 1, ho: side, wo: side)
            #expect(uses == fits, "\(n) × \(channels) × \(side)²: limit \(limit) bytes")
        }
        #expect(!backend.usesWinograd(n: 1, ci: 3, co: 128, kh: 3, kw: 3, stride: 1, ho: 32, wo: 32), "conv_in runs directly")
        #expect(!backend.usesWinograd(n: 1, ci: 128, co: 128, kh: 3, kw: 3, stride: 2, ho: 16, wo: 16), "stride 2 runs directly")
    }

    @Test func conv2dWeightLayoutIsReusedAcrossCalls() throws {
        let h = try DifferentialHarness()
        // The same weight tensor against two inputs: the cached repacked weight must serve both.
        h.check("shared weight", [([1, 5, 6, 6], h.random(180)), ([2, 5, 3, 4], h.random(120)), ([7, 5, 3, 3], h.random(315))]) { backend, t in
            let first = backend.conv2d(t[0], weight: t[2], bias: nil, stride: 1, padding: 1)
            let second = backend.conv2d(t[1], weight: t[2], bias: nil, stride: 1, padding: 1)
            return backend.concat([first.reshaped([first.count]), second.reshaped([second.count])], axis: 0)
        }
        h.expectNoValidationMessages()
    }

    @Test(arguments: KernelFamily.allCases)
    func linearAndBatchedMatmul(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        for (x, out) in [([5, 7], 9), ([2, 3, 16], 33), ([1, 128], 512), ([37, 20], 16), ([70, 24], 40)] {
            let k = x.last!
            let inputs = [(x, h.random(x.reduce(1, *))), ([out, k], h.random(out * k)), ([out], h.random(out))]
            h.check("linear \(x) → \(out)", inputs) { backend, t in backend.linear(t[0], weight: t[1], bias: t[2]) }
            h.check("linear \(x) → \(out) no bias", inputs) { backend, t in backend.linear(t[0], weight: t[1], bias: nil) }
        }
        for (batch, m, k, n) in [(3, 5, 7, 9), (2, 9, 8, 32), (1, 17, 64, 3), (4, 33, 12, 20), (3, 80, 16, 40), (2, 70, 12, 48)] {
            h.check("bmm \(batch)×\(m)×\(k)×\(n)", [([batch, m, k], h.random(batch * m * k)), ([batch, k, n], h.random(batch * k * n))]) { backend, t in
                backend.batchedMatmul(t[0], t[1], transposeB: false, scale: 0.75)
            }
            h.check("bmm ᵀ \(batch)×\(m)×\(k)×\(n)", [([batch, m, k], h.random(batch * m * k)), ([batch, n, k], h.random(batch * k * n))]) { backend, t in
                backend.batchedMatmul(t[0], t[1], transposeB: true, scale: 1)
            }
        }
        h.expectNoValidationMessages()
    }

    /// Under both families: the CPU device's runs many rows one invocation each, the GPU family a workgroup each.
    @Test(arguments: KernelFamily.allCases)
    func normalisations(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let x = ([2, 6, 5, 3], h.random(180, scale: 3).map { $0 + 1.5 })
        let gamma = ([6], h.random(6)), beta = ([6], h.random(6))
        for silu in [false, true] {
            h.check("groupNorm affine silu \(silu)", [x, gamma, beta]) { backend, t in
                backend.groupNorm(t[0], groups: 3, eps: 1e-5, weight: t[1], bias: t[2], silu: silu)
            }
        }
        h.check("groupNorm plain", [x]) { backend, t in backend.groupNorm(t[0], groups: 2, eps: 1e-6, weight: nil, bias: nil, silu: false) }
        h.check("groupNorm large groups", [([1, 8, 32, 32], h.random(8192, scale: 2)), ([8], h.random(8)), ([8], h.random(8))]) { backend, t in
            backend.groupNorm(t[0], groups: 2, eps: 1e-6, weight: t[1], bias: t[2], silu: true)
        }
        h.check("layerNorm", [([3, 77], h.random(231)), ([77], h.random(77)), ([77], h.random(77))]) { backend, t in
            backend.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5)
        }
        h.check("groupNorm many groups", [([4, 16, 6, 2], h.random(768, scale: 2).map { $0 + 3 }), ([16], h.random(16)), ([16], h.random(16))]) { backend, t in
            backend.groupNorm(t[0], groups: 8, eps: 1e-6, weight: t[1], bias: t[2], silu: true)
        }
        h.check("groupNorm many groups plain", [([4, 16, 6, 2], h.random(768, scale: 2))]) { backend, t in
            backend.groupNorm(t[0], groups: 4, eps: 1e-6, weight: nil, bias: nil, silu: false)
        }
        h.check("layerNorm many rows", [([5, 7, 24], h.random(840, scale: 3)), ([24], h.random(24)), ([24], h.random(24))]) { backend, t in
            backend.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5)
        }
        h.check("layerNorm wide", [([2, 5, 1000], h.random(10000, scale: 5))]) { backend, t in
            backend.layerNorm(t[0], weight: nil, bias: nil, eps: 1e-5)
        }
        h.expectNoValidationMessages()
    }

    @Test(arguments: KernelFamily.allCases)
    func softmaxRows(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        h.check("softmax", [([4, 13], h.random(52, scale: 10))]) { backend, t in backend.softmax(t[0]) }
        h.check("softmax wide", [([3, 1000], h.random(3000, scale: 40))]) { backend, t in backend.softmax(t[0]) }
        h.check("softmax many rows", [([3, 11, 36], h.random(1188, scale: 20))]) { backend, t in backend.softmax(t[0]) }
        var rows = h.random(20 * 8, scale: 5)
        for i in 0..<8 { rows[3 * 8 + i] = -.infinity }
        h.check("softmax many rows masked", [([20, 8], rows)]) { backend, t in backend.softmax(t[0]) }
        let masked: [Float] = [0, 1, -.infinity, 2, -.infinity, -.infinity, -.infinity, -.infinity]
        h.check("softmax masked", [([2, 4], masked)]) { backend, t in backend.softmax(t[0]) }
        h.expectNoValidationMessages()
    }
}
