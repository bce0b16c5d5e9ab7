import Compute
import Testing
import VulkanCompute

/// A weight holds one device copy, in the layout its kernel reads: the row-major values it was uploaded in are
/// released once a GEMM or convolution repacks them, and can still be read back.
@Suite struct WeightMemoryTests {
    /// Bytes the arena hands out for `floats` values (regions are rounded up to 256-byte multiples at least; these
    /// shapes are chosen to need no rounding, so that a second copy could not hide in it).
    static func bytes(_ floats: Int) -> Int { floats * 4 }

    @Test(arguments: KernelFamily.allCases)
    func repackedWeightsHoldTheirParameterBytesOnce(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let backend = h.vulkan
        backend.winograd = false
        let before = backend.allocatedDeviceBytes
        let convWeight = backend.tensor(h.random(32 * 16 * 9), shape: [32, 16, 3, 3])
        let pointwise = backend.tensor(h.random(64 * 32), shape: [64, 32, 1, 1])
        let linearWeight = backend.tensor(h.random(64 * 128), shape: [64, 128])
        let parameterBytes = Self.bytes(32 * 16 * 9 + 64 * 32 + 64 * 128)
        #expect(backend.allocatedDeviceBytes - before == parameterBytes)
        for _ in 0..<2 {
            let x = backend.tensor(h.random(2 * 16 * 8 * 8), shape: [2, 16, 8, 8])
            let y = backend.conv2d(backend.conv2d(x, weight: convWeight, bias: nil, stride: 1, padding: 1),
                                   weight: pointwise, bias: nil, stride: 1, padding: 0)
            let tokens = backend.tensor(h.random(10 * 128), shape: [10, 128])
            _ = y.values()
            _ = backend.linear(tokens, weight: linearWeight, bias: nil).values()
        }
        backend.synchronize()
        #expect(backend.allocatedDeviceBytes - before == parameterBytes,
                "weights hold \(backend.allocatedDeviceBytes - before) bytes for \(parameterBytes) bytes of parameters")
        h.expectNoValidationMessages()
    }

    /// A weight whose kernel layout pads it (4 output channels become a 16-wide tile) holds that layout alone.
    @Test func paddedWeightHoldsOnlyItsPaddedLayout() throws {
        let h = try DifferentialHarness(kernelFamily: .texel)
        let backend = h.vulkan
        backend.winograd = false
        let before = backend.allocatedDeviceBytes
        let weight = backend.tensor(h.random(4 * 64 * 9), shape: [4, 64, 3, 3])
        let x = backend.tensor(h.random(64 * 4 * 4), shape: [1, 64, 4, 4])
        _ = backend.conv2d(x, weight: weight, bias: nil, stride: 1, padding: 1).values()
        backend.synchronize()
        #expect(backend.allocatedDeviceBytes - before - Self.bytes(64 * 4 * 4) == Self.bytes(9 * 64 * 16))
        h.expectNoValidationMessages()
    }

    /// After repacking, the weight's values read back exactly, and reshaped views that ask for another layout
    /// (a 1×1 conv weight used as a linear one) still compute what the CPU backend does.
    @Test(arguments: KernelFamily.allCases)
    func repackedWeightsReadBackAndServeOtherLayouts(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let backend = h.vulkan
        let values = h.random(24 * 20)
        let x = h.random(3 * 20 * 5 * 5), tokens = h.random(7 * 20)
        let weight = backend.tensor(values, shape: [24, 20, 1, 1])
        let cpuWeight = h.cpu.tensor(values, shape: [24, 20, 1, 1])
        let conv = backend.conv2d(backend.tensor(x, shape: [3, 20, 5, 5]), weight: weight, bias: nil, stride: 1, padding: 0)
        #expect(weight.values() == values)
        let linear = backend.linear(backend.tensor(tokens, shape: [7, 20]), weight: weight.reshaped([24, 20]), bias: nil)
        #expect(weight.values() == values)
        let cpuConv = h.cpu.conv2d(h.cpu.tensor(x, shape: [3, 20, 5, 5]), weight: cpuWeight, bias: nil, stride: 1, padding: 0)
        let cpuLinear = h.cpu.linear(h.cpu.tensor(tokens, shape: [7, 20]), weight: cpuWeight.reshaped([24, 20]), bias: nil)
        for (got, want) in [(conv, cpuConv), (linear, cpuLinear)] {
            let error = zip(got.values(), want.values()).map { abs($0 - $1) }.max() ?? .infinity
            #expect(error <= 1e-5)
        }
        // The weight read as an ordinary tensor, after its values went into packed layouts.
        #expect(backend.add(weight, weight).values() == values.map { $0 + $0 })
        h.expectNoValidationMessages()
    }
}
