import Compute
import Tensors
import Testing
@testable import VulkanCompute

/// Every op at fp16 storage, on both kernel families, against the CPU backend on the same fp16-rounded inputs:
/// the device computes in fp32 and rounds on store, the CPU rounds each fp16 output, so the two agree to one
/// fp16 ulp of the output's scale (where a rounding point falls between two fp32 results) and both say fp16.
@Suite struct HalfPrecisionOpTests {
    /// One fp16 ulp at 1: the tolerance relative to max(1, max |cpu|).
    static let ulp: Float = 0x1p-10

    /// An op and its inputs' shapes; `parameters` of them (the trailing ones) stay fp32, as biases and affines do.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let shapes: [[Int]]
        var parameters = 0
        let op: @Sendable (any Backend, [Tensor]) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "linearCombination of 4", shapes: [[3, 37], [3, 37], [3, 37], [3, 37]]) { b, t in
            b.linearCombination([(t[0], 0.5), (t[1], -1.25), (t[2], 3), (t[3], 0.1)])
        },
        Case(name: "add, same shapes", shapes: [[2, 3, 5, 7], [2, 3, 5, 7]]) { b, t in b.add(t[0], t[1]) },
        Case(name: "add, fp32 channel bias", shapes: [[2, 8, 4, 4], [8, 1, 1]], parameters: 1) { b, t in b.add(t[0], t[1]) },
        Case(name: "multiply, broadcast rows", shapes: [[2, 5, 6, 7], [5, 1, 7]]) { b, t in b.multiply(t[0], t[1]) },
        Case(name: "silu", shapes: [[3, 41]]) { b, t in b.activation(t[0], .silu) },
        Case(name: "gelu", shapes: [[3, 41]]) { b, t in b.activation(t[0], .gelu) },
        Case(name: "quickGelu", shapes: [[3, 41]]) { b, t in b.activation(t[0], .quickGelu) },
        Case(name: "relu", shapes: [[3, 41]]) { b, t in b.activation(t[0], .relu) },
        Case(name: "geglu", shapes: [[2, 3, 16]]) { b, t in b.geglu(t[0]) },
        Case(name: "permute", shapes: [[2, 3, 4, 5]]) { b, t in b.permute(t[0], [0, 2, 3, 1]) },
        Case(name: "concat", shapes: [[2, 3, 5], [2, 4, 5]]) { b, t in b.concat([t[0], t[1]], axis: 1) },
        Case(name: "slice", shapes: [[2, 7, 5]]) { b, t in b.slice(t[0], axis: 1, range: 2..<6) },
        Case(name: "conv2d 3×3", shapes: [[2, 5, 8, 8], [7, 5, 3, 3], [7]], parameters: 1) { b, t in
            b.conv2d(t[0], weight: b.stored(t[1], as: .fp16), bias: t[2], stride: 1, padding: 1)
        },
        Case(name: "conv2d stride 2", shapes: [[1, 4, 9, 7], [6, 4, 3, 3], [6]], parameters: 1) { b, t in
            b.conv2d(t[0], weight: b.stored(t[1], as: .fp16), bias: t[2], stride: 2, padding: 1)
        },
        Case(name: "groupNorm with SiLU", shapes: [[2, 8, 5, 5], [8], [8]], parameters: 2) { b, t in
            b.groupNorm(t[0], groups: 4, eps: 1e-5, weight: t[1], bias: t[2], silu: true)
        },
        Case(name: "groupNorm, one invocation per group", shapes: [[4, 8, 4, 4], [8], [8]], parameters: 2) { b, t in
            b.groupNorm(t[0], groups: 4, eps: 1e-5, weight: t[1], bias: t[2], silu: false)
        },
        Case(name: "layerNorm, one invocation per row", shapes: [[4, 5, 24], [24], [24]], parameters: 2) { b, t in
            b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5)
        },
        Case(name: "softmax, one invocation per row", shapes: [[2, 10, 32]]) { b, t in b.softmax(t[0]) },
        Case(name: "layerNorm", shapes: [[3, 4, 24], [24], [24]], parameters: 2) { b, t in
            b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5)
        },
        Case(name: "linear", shapes: [[2, 5, 20], [12, 20], [12]], parameters: 1) { b, t in
            b.linear(t[0], weight: b.stored(t[1], as: .fp16), bias: t[2])
        },
        Case(name: "batchedMatmul", shapes: [[2, 9, 12], [2, 12, 16]]) { b, t in b.batchedMatmul(t[0], t[1], transposeB: false, scale: 0.5) },
        Case(name: "batchedMatmul bᵀ", shapes: [[2, 9, 16], [2, 16, 16]]) { b, t in b.batchedMatmul(t[0], t[1], transposeB: true, scale: 0.25) },
        Case(name: "softmax", shapes: [[3, 4, 33]]) { b, t in b.softmax(b.scaled(t[0], by: 4)) },
        Case(name: "upsampleNearest2x", shapes: [[1, 3, 4, 5]]) { b, t in b.upsampleNearest2x(t[0]) },
        Case(name: "avgPool2x", shapes: [[1, 3, 6, 8]]) { b, t in b.avgPool2x(t[0]) },
        Case(name: "pool2d max", shapes: [[1, 3, 7, 7]]) { b, t in b.pool2d(t[0], .square(.max, kernel: 3, stride: 2, padding: 1)) },
        Case(name: "resizeBilinear", shapes: [[1, 2, 5, 7]]) { b, t in b.resizeBilinear(t[0], height: 8, width: 3) },
    ]

    @Test(arguments: cases)
    func opAtHalfStorageMatchesTheCPUEmulation(testCase: Case) throws {
        for family in KernelFamily.allCases {
            let h = try DifferentialHarness(kernelFamily: family)
            let inputs = testCase.shapes.map { ($0, h.random($0.reduce(1, *), scale: 2)) }
            let activations = testCase.shapes.count - testCase.parameters
            let run = { (backend: any Backend, t: [Tensor]) -> Tensor in
                let stored = t.enumerated().map { $0.offset < activations ? backend.stored($0.element, as: .fp16) : $0.element }
                let result = testCase.op(backend, stored)
                #expect(result.precision == .fp16, "\(testCase.name) on \(backend.name) stores its output in fp16")
                let unrounded = result.values().filter { HalfPrecision.rounded($0) != $0 && !$0.isNaN }
                #expect(unrounded.isEmpty, "\(testCase.name) on \(backend.name) holds values fp16 cannot: \(unrounded.prefix(3))")
                return result
            }
            h.check("\(family) \(testCase.name) at fp16", inputs, tolerance: Self.ulp, run)
            h.expectNoValidationMessages()
        }
    }

    /// Kernels read fp16 activations as they are (RGBA16F and R16F texel views; gemm_shared two halves to a uint),
    /// so no conversion widens an input; the kernels with an fp16 store path write their fp16 outputs themselves
    /// (no narrowing pass), every other op's output is narrowed once. Counted op by op: a kernel that falls back to
    /// the pass, or an op that gains one, fails here by name.
    @Test(arguments: KernelFamily.allCases)
    func kernelsReadHalfInputsAndStoreHalfOutputs(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let b = h.vulkan
        b.winograd = false
        let half = { (shape: [Int]) in b.stored(b.tensor(h.random(shape.reduce(1, *)), shape: shape), as: .fp16) }
        let (x, odd, tokens, q, kv) = (half([2, 8, 8, 8]), half([1, 3, 5, 7]), half([4, 5, 32]), half([2, 20, 16]), half([2, 16, 16]))
        let groups = half([4, 8, 4, 4]), row = half([2, 1, 16]), oddColumns = half([2, 16, 15]), oddHalves = half([2, 3, 14])
        let convWeight = half([16, 8, 3, 3]), linearWeight = half([32, 32]), oddWeight = half([15, 32]), smallWeight = half([16, 3, 3, 3])
        // Pack the weights first (packing converts once per weight).
        _ = b.conv2d(x, weight: convWeight, bias: nil, stride: 1, padding: 1)
        _ = b.conv2d(odd, weight: smallWeight, bias: nil, stride: 1, padding: 1)
        _ = b.linear(tokens, weight: linearWeight, bias: nil)
        _ = b.linear(tokens, weight: oddWeight, bias: nil)
        b.synchronize()
        b.profiling = true
        defer { b.profiling = false }
        let both = Set(KernelFamily.allCases), texel: Set<KernelFamily> = [.texel]
        // (what, the families whose kernel stores it as fp16 itself, the op)
        let ops: [(String, Set<KernelFamily>, () -> Tensor)] = [
            ("linear", both, { b.linear(tokens, weight: linearWeight, bias: nil) }),
            ("linear, odd outputs (pairs would straddle rows)", [], { b.linear(tokens, weight: oddWeight, bias: nil) }),
            ("conv2d", both, { b.conv2d(x, weight: convWeight, bias: nil, stride: 1, padding: 1) }),
            ("conv2d, odd planes", [], { b.conv2d(odd, weight: smallWeight, bias: nil, stride: 1, padding: 1) }),
            ("batchedMatmul", both, { b.batchedMatmul(q, kv, transposeB: false, scale: 1) }),
            ("batchedMatmul bᵀ", both, { b.batchedMatmul(q, kv, transposeB: true, scale: 1) }),
            ("batchedMatmul, odd columns", [], { b.batchedMatmul(q, oddColumns, transposeB: false, scale: 1) }),
            ("activation", both, { b.activation(x, .silu) }),
            ("activation, odd count", both, { b.activation(odd, .gelu) }),
            ("linearCombination", both, { b.linearCombination([(x, 1), (x, 2)]) }),
            ("linearCombination of 4 (chained dispatches)", [], { b.linearCombination([(x, 1), (x, 2), (x, 3), (x, 4)]) }),
            ("geglu", both, { b.geglu(tokens) }),
            ("geglu, odd half width (words would straddle rows)", [], { b.geglu(oddHalves) }),
            ("add", both, { b.add(x, x) }),
            ("add, odd count", both, { b.add(odd, odd) }),
            ("multiply, broadcast", both, { b.multiply(q, row) }),
            ("softmax", texel, { b.softmax(q) }),
            ("softmax, odd rows", [], { b.softmax(odd) }),
            ("layerNorm", texel, { b.layerNorm(q, weight: nil, bias: nil, eps: 1e-5) }),
            ("layerNorm, odd rows", [], { b.layerNorm(odd, weight: nil, bias: nil, eps: 1e-5) }),
            ("groupNorm", texel, { b.groupNorm(groups, groups: 4, eps: 1e-5, weight: nil, bias: nil, silu: false) }),
            ("groupNorm, odd", [], { b.groupNorm(odd, groups: 1, eps: 1e-5, weight: nil, bias: nil, silu: true) }),
            ("permute", both, { b.permute(x, [0, 2, 3, 1]) }),
            ("permute, odd last axis", [], { b.permute(odd, [0, 1, 3, 2]) }),
            ("concat", both, { b.concat([x, x], axis: 1) }),
            ("concat, pieces of odd width", [], { b.concat([odd, odd], axis: 3) }),
            ("slice of whole texels", both, { b.slice(x, axis: 1, range: 2..<6) }),
            ("slice", [], { b.slice(odd, axis: 3, range: 1..<6) }),
            ("upsampleNearest2x", [], { b.upsampleNearest2x(odd) }),
            ("avgPool2x", [], { b.avgPool2x(x) }),
            ("pool2d", [], { b.pool2d(odd, .square(.max, kernel: 3, stride: 2, padding: 1)) }),
            ("resizeBilinear", [], { b.resizeBilinear(odd, height: 4, width: 9) }),
        ]
        for (name, storesHalf, op) in ops {
            _ = b.takeKernelProfile()
            let y = op()
            b.synchronize()
            let conversions = b.takeKernelProfile().first { $0.kernel == "convertPrecision" }?.count ?? 0
            let expected = storesHalf.contains(family) ? 0 : 1
            #expect(conversions == expected, "\(name) on \(family): \(conversions) conversions, expected \(expected)")
            #expect(y.precision == .fp16, "\(name) on \(family) stores fp16")
        }
        h.expectNoValidationMessages()
    }

    /// Where a kernel stores fp16 itself, its values are bit for bit those of the narrowing pass (one rounding
    /// function, half_store.glsl): every store path of each kernel (vec4 words, scalar pairs, partial tiles), against
    /// the same op with the kernels' fp16 stores off.
    @Test(arguments: KernelFamily.allCases)
    func directHalfStoresMatchTheNarrowingPassBitForBit(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let b = h.vulkan
        let half = { (shape: [Int], scale: Float) in b.stored(b.tensor(h.random(shape.reduce(1, *), scale: scale), shape: shape), as: .fp16) }
        let fp32 = { (shape: [Int], scale: Float) in b.tensor(h.random(shape.reduce(1, *), scale: scale), shape: shape) }
        // (what, Winograd on (the texel family only runs it), inputs, the op). Large scales put some results beyond the fp16 range, small ones below
        // its normal range.
        var cases: [(String, Bool, [Tensor], ([Tensor]) -> Tensor)] = [
            ("conv2d, vec4 stores", false, [half([2, 5, 8, 8], 40), half([16, 5, 3, 3], 30), fp32([16], 3)],
             { t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1) }),
            ("conv2d, pairs of pixels, partial tile", false, [half([1, 4, 6, 5], 2), half([12, 4, 3, 3], 1), fp32([12], 3)],
             { t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1) }),
            ("conv2d stride 2, subnormal results", false, [half([1, 4, 9, 8], 1e-3), half([16, 4, 3, 3], 1e-3)],
             { t in b.conv2d(t[0], weight: t[1], bias: nil, stride: 2, padding: 1) }),
            ("winograd conv2d", true, [half([2, 8, 12, 12], 20), half([16, 8, 3, 3], 20), fp32([16], 3)],
             { t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1) }),
            ("winograd conv2d, 7 × 6", true, [half([1, 8, 7, 6], 1), half([16, 8, 3, 3], 0.3), fp32([16], 3)],
             { t in b.conv2d(t[0], weight: t[1], bias: t[2], stride: 1, padding: 1) }),
            ("linear, vec4 stores", false, [half([3, 7, 20], 50), half([16, 20], 50), fp32([16], 3)],
             { t in b.linear(t[0], weight: t[1], bias: t[2]) }),
            ("linear, pairs of columns", false, [half([3, 7, 20], 1), half([18, 20], 1), fp32([18], 3)],
             { t in b.linear(t[0], weight: t[1], bias: t[2]) }),
            ("batchedMatmul bᵀ", false, [half([2, 9, 16], 3), half([2, 16, 16], 3)],
             { t in b.batchedMatmul(t[0], t[1], transposeB: true, scale: 0.25) }),
            ("batchedMatmul, 18 columns", false, [half([2, 17, 12], 1e-2), half([2, 12, 18], 1e-2)],
             { t in b.batchedMatmul(t[0], t[1], transposeB: false, scale: 1) }),
            ("permute, pairs along the last axis", false, [half([2, 6, 4, 3], 7e4)], { t in b.permute(t[0], [0, 2, 3, 1]) }),
            ("permute, vec4 stores", false, [half([2, 8, 4, 4], 7e4)], { t in b.permute(t[0], [0, 2, 3, 1]) }),
            ("concat of an fp16 and an fp32 tensor", false, [half([2, 3, 4, 4], 9), fp32([2, 5, 4, 4], 9)],
             { t in b.concat([t[0], t[1]], axis: 1) }),
            ("slice of whole texels", false, [half([2, 7, 4, 4], 9)], { t in b.slice(t[0], axis: 1, range: 2..<6) }),
            ("gelu", false, [half([3, 41], 8)], { t in b.activation(t[0], .gelu) }),
            ("linearCombination of 3", false, [half([3, 37], 4e4), half([3, 37], 4e4), half([3, 37], 1)],
             { t in b.linearCombination([(t[0], 0.7), (t[1], 1.3), (t[2], -1e-6)]) }),
            ("add, odd count", false, [half([1, 3, 5, 7], 6e4), half([1, 3, 5, 7], 6e4)], { t in b.add(t[0], t[1]) }),
            ("multiply, broadcast over channels", false, [half([2, 5, 6, 8], 300), half([5, 1, 1], 300)], { t in b.multiply(t[0], t[1]) }),
            ("geglu, four outputs per invocation", false, [half([3, 5, 24], 400)], { t in b.geglu(t[0]) }),
            ("geglu, a row ending in one word", false, [half([2, 7, 20], 1e-2)], { t in b.geglu(t[0]) }),
        ]
        if family == .texel {
            // One invocation per row (the texel family's row kernels, from 16 rows on).
            cases += [
                ("softmax, one invocation per row", false, [half([2, 10, 32], 6)], { t in b.softmax(t[0]) }),
                ("groupNorm with SiLU, one invocation per group", false, [half([4, 8, 4, 4], 3), fp32([8], 2), fp32([8], 1)],
                 { t in b.groupNorm(t[0], groups: 4, eps: 1e-5, weight: t[1], bias: t[2], silu: true) }),
                ("layerNorm, one invocation per row", false, [half([2, 10, 32], 6), fp32([32], 3e4), fp32([32], 1e-4)],
                 { t in b.layerNorm(t[0], weight: t[1], bias: t[2], eps: 1e-5) }),
            ]
        }
        for (name, winograd, inputs, op) in cases {
            b.winograd = winograd
            // The pass first: it also packs the weights, so that the direct run dispatches no conversion at all.
            b.kernelsStoreHalf = false
            let narrowed = op(inputs)
            b.synchronize()
            b.kernelsStoreHalf = true
            b.profiling = true
            _ = b.takeKernelProfile()
            let direct = op(inputs)
            b.synchronize()
            let conversions = b.takeKernelProfile().first { $0.kernel == "convertPrecision" }?.count ?? 0
            b.profiling = false
            #expect(conversions == 0, "\(name) on \(family): the kernel stores fp16 itself, yet \(conversions) conversions ran")
            #expect(direct.precision == .fp16 && narrowed.precision == .fp16, "\(name) stored fp16")
            let (d, n) = (direct.values(), narrowed.values())
            let differing = zip(d, n).filter { $0.bitPattern != $1.bitPattern }
            #expect(d.count == n.count && differing.isEmpty,
                    "\(name) on \(family): \(differing.count) of \(d.count) values differ from the narrowing pass, e.g. \(differing.prefix(3))")
        }
        h.expectNoValidationMessages()
    }

    /// The Winograd path (3×3 stride 1 on the texel family) rounds its output once, as direct convolution does.
    @Test func winogradConvolutionAtHalfStorage() throws {
        let h = try DifferentialHarness(kernelFamily: .texel)
        h.vulkan.winograd = true
        let inputs = [([2, 8, 12, 12], h.random(2 * 8 * 144)), ([16, 8, 3, 3], h.random(16 * 8 * 9, scale: 0.3)), ([16], h.random(16))]
        h.check("winograd conv2d at fp16", inputs, tolerance: Self.ulp) { b, t in
            let y = b.conv2d(b.stored(t[0], as: .fp16), weight: b.stored(t[1], as: .fp16), bias: t[2], stride: 1, padding: 1)
            #expect(y.precision == .fp16 && y.values().allSatisfy { HalfPrecision.rounded($0) == $0 })
            return y
        }
        h.expectNoValidationMessages()
    }
}
