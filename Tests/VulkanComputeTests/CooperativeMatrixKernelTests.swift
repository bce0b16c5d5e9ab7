import Compute
import Tensors
import Testing
@testable import VulkanCompute

/// Whether the device the tests run on (the default choice) can run the cooperative-matrix kernel.
enum CooperativeMatrixDevice {
    static let available: Bool = {
        guard let devices = try? VulkanDevices.list(), let index = try? VulkanDevices.choose(among: devices) else { return false }
        return devices[index].cooperativeMatrices.isUsable
    }()
}

/// The cooperative-matrix GEMM (`conv2d_coopmat_nv`) against the CPU backend, and the fallback where a device
/// lacks it. The kernel tests need a device with VK_NV_cooperative_matrix's 16 × 16 × 16 fp16 → fp32 shape (an
/// NVIDIA GPU): elsewhere, lavapipe in CI included, Swift Testing reports them as skipped with the reason below.
@Suite struct CooperativeMatrixKernelTests {
    /// Linear layers and convolutions with fp16 weights, inputs rounded to fp16 (so the kernel's staging is exact)
    /// and shapes that leave every tile edge partial: rows, columns and reductions that are not multiples of the
    /// 128 × 128 tile or of 16, two column tiles, stride 2, 1 × 1, with and without bias.
    @Test(.enabled(if: CooperativeMatrixDevice.available,
                   "needs a device with VK_NV_cooperative_matrix 16×16×16 fp16→fp32 at subgroup size 32 (an NVIDIA GPU); see `belm devices`"))
    func matchesTheCPUOnHalfRoundedOperands() throws {
        let backend = try VulkanBackend(validation: true, cooperativeMatrices: true)
        try #require(backend.usesCooperativeMatrices)
        let cpu = CPUBackend()
        var generator = SplitMix64(seed: 0xC00B)
        func random(_ count: Int) -> [Float] {
            (0..<count).map { _ in HalfPrecision.rounded((Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1)) }
        }
        // The products are exact in fp32 on both sides; the sums differ in order and, on tensor cores, in rounding
        // (their fp32 accumulation may truncate), which over the longest reduction here (1170 terms) stays well
        // under 1e-3 of the output's scale. A wrong index or a lost tile is off by the scale itself.
        func compare(_ label: String, _ got: [Float], _ want: [Float]) {
            #expect(got.count == want.count, "\(label): count")
            let scale = max(1, want.map(abs).max() ?? 0)
            let error = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(error <= 1e-3 * scale, "\(label): max abs error \(error) against the CPU (scale \(scale))")
        }

        backend.profiling = true
        for (rows, inputs, outputs, withBias) in [(203, 37, 50, true), (300, 160, 130, false), (1, 16, 16, true), (129, 300, 257, true)] {
            let x = random(rows * inputs), w = random(outputs * inputs), b = random(outputs)
            let got = backend.linear(backend.tensor(x, shape: [rows, inputs]),
                                     weight: backend.weight(HostTensor(shape: [outputs, inputs], scalars: w), precision: .fp16),
                                     bias: withBias ? backend.tensor(b, shape: [outputs]) : nil).values()
            let want = cpu.linear(cpu.tensor(x, shape: [rows, inputs]),
                                  weight: cpu.weight(HostTensor(shape: [outputs, inputs], scalars: w), precision: .fp16),
                                  bias: withBias ? cpu.tensor(b, shape: [outputs]) : nil).values()
            compare("linear \(rows)×\(inputs)→\(outputs)", got, want)
        }
        let convolutions: [(x: [Int], w: [Int], stride: Int, padding: Int, bias: Bool)] = [
            ([2, 13, 11, 9], [21, 13, 3, 3], 1, 1, true), ([3, 24, 7, 5], [40, 24, 1, 1], 1, 0, false),
            ([1, 8, 17, 15], [150, 8, 3, 3], 2, 1, true), ([2, 130, 6, 6], [20, 130, 3, 3], 1, 1, false),
        ]
        for c in convolutions {
            let x = random(c.x.reduce(1, *)), w = random(c.w.reduce(1, *)), b = random(c.w[0])
            let got = backend.conv2d(backend.tensor(x, shape: c.x), weight: backend.weight(HostTensor(shape: c.w, scalars: w), precision: .fp16),
                                     bias: c.bias ? backend.tensor(b, shape: [c.w[0]]) : nil, stride: c.stride, padding: .symmetric(c.padding)).values()
            let want = cpu.conv2d(cpu.tensor(x, shape: c.x), weight: cpu.weight(HostTensor(shape: c.w, scalars: w), precision: .fp16),
                                  bias: c.bias ? cpu.tensor(b, shape: [c.w[0]]) : nil, stride: c.stride, padding: .symmetric(c.padding)).values()
            compare("conv2d \(c.x) ⋆ \(c.w) stride \(c.stride)", got, want)
        }
        backend.profiling = false
        let profile = backend.takeKernelProfile()
        #expect(profile.first { $0.kernel == Kernel.conv2dCoopmatNv.rawValue }?.count == 8, "\(profile.map(\.kernel))")
        #expect(!profile.contains { $0.kernel == Kernel.gemmShared.rawValue || $0.kernel == Kernel.conv2dShared.rawValue })
        backend.synchronize()
        #expect(backend.validationMessages.isEmpty, "validation: \(backend.validationMessages.joined(separator: "\n"))")
    }

    /// fp32 weights never take the kernel: it rounds its operands to fp16, which `--precision fp32` does not allow.
    @Test(.enabled(if: CooperativeMatrixDevice.available,
                   "needs a device with VK_NV_cooperative_matrix 16×16×16 fp16→fp32 at subgroup size 32 (an NVIDIA GPU); see `belm devices`"))
    func fp32WeightsKeepTheFamilyKernels() throws {
        let backend = try VulkanBackend(validation: true, cooperativeMatrices: true)
        try #require(backend.usesCooperativeMatrices)
        backend.profiling = true
        _ = backend.linear(backend.tensor([Float](repeating: 0.5, count: 40 * 24), shape: [40, 24]),
                           weight: backend.tensor([Float](repeating: 0.25, count: 32 * 24), shape: [32, 24]), bias: nil).values()
        backend.profiling = false
        #expect(!backend.takeKernelProfile().contains { $0.kernel == Kernel.conv2dCoopmatNv.rawValue })
    }

    /// Asked for on a device without cooperative matrices (lavapipe), the backend falls back to its kernel family:
    /// the same kernels run and the results are bit for bit those of a backend that was not asked.
    @Test(.enabled(if: !CooperativeMatrixDevice.available, "the device has cooperative matrices: the kernel tests above cover it"))
    func fallsBackToTheFamilyKernelsWhereTheDeviceHasNone() throws {
        let asked = try VulkanBackend(validation: true, cooperativeMatrices: true)
        let plain = try VulkanBackend(validation: true, cooperativeMatrices: false)
        #expect(!asked.usesCooperativeMatrices && !plain.usesCooperativeMatrices)
        #expect(asked.kernelFamily == plain.kernelFamily)
        var generator = SplitMix64(seed: 0xFA11)
        let x = (0..<(2 * 13 * 11 * 9)).map { _ in Float(generator.next() >> 40) / Float(1 << 24) - 0.5 }
        let w = (0..<(21 * 13 * 9)).map { _ in Float(generator.next() >> 40) / Float(1 << 24) - 0.5 }
        let tokens = Array(x.prefix(7 * 40)), linearWeight = Array(w.prefix(24 * 40))
        func run(_ backend: VulkanBackend) -> (values: [Float], kernels: Set<String>) {
            backend.profiling = true
            let conv = backend.conv2d(backend.tensor(x, shape: [2, 13, 11, 9]),
                                      weight: backend.weight(HostTensor(shape: [21, 13, 3, 3], scalars: w), precision: .fp16),
                                      bias: backend.tensor(Array(w.prefix(21)), shape: [21]), stride: 1, padding: 1).values()
            let linear = backend.linear(backend.tensor(tokens, shape: [7, 40]),
                                        weight: backend.weight(HostTensor(shape: [24, 40], scalars: linearWeight), precision: .fp16),
                                        bias: nil).values()
            backend.profiling = false
            return (conv + linear, Set(backend.takeKernelProfile().map(\.kernel)))
        }
        let (askedValues, askedKernels) = run(asked), (plainValues, plainKernels) = run(plain)
        #expect(askedValues == plainValues)
        #expect(askedKernels == plainKernels)
        #expect(!askedKernels.contains(Kernel.conv2dCoopmatNv.rawValue))
        asked.synchronize()
        #expect(asked.validationMessages.isEmpty, "validation: \(asked.validationMessages.joined(separator: "\n"))")
    }
}
