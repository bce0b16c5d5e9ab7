import Compute
import Testing
@testable import VulkanCompute

/// fp16 weight storage (groundwork for `--precision fp16`): both kernel families read fp16 weights, widen them and
/// accumulate in fp32, so their results match the CPU backend run on the same weights rounded to fp16,
/// while the weights hold half their fp32 bytes.
@Suite struct HalfPrecisionWeightTests {
    @Test func roundingToHalfIsToNearestEven() {
        #expect(HalfPrecision.bits(1) == 0x3C00)
        #expect(HalfPrecision.bits(-2) == 0xC000)
        #expect(HalfPrecision.bits(65504) == 0x7BFF)
        #expect(HalfPrecision.bits(65520) == 0x7C00)  // halfway to the next binade rounds up to infinity
        #expect(HalfPrecision.bits(1 + 0x1p-11) == 0x3C00)  // a tie rounds to the even mantissa
        #expect(HalfPrecision.bits(1 + 3 * 0x1p-11) == 0x3C02)
        #expect(HalfPrecision.bits(0x1p-24) == 0x0001)  // smallest subnormal
        #expect(HalfPrecision.bits(0x1p-25) == 0x0000)  // a tie with zero rounds to even
        #expect(HalfPrecision.bits(0x1.8p-25) == 0x0001)
        #expect(HalfPrecision.bits(.infinity) == 0x7C00)
        #expect(HalfPrecision.value(HalfPrecision.bits(.nan)).isNaN)
        // Every binary16 value survives a round trip through Float.
        for bits in UInt16(0)...UInt16.max where bits & 0x7C00 != 0x7C00 {
            #expect(HalfPrecision.bits(HalfPrecision.value(bits)) == bits, "\(bits)")
            if HalfPrecision.bits(HalfPrecision.value(bits)) != bits { break }
        }
    }

    @Test(arguments: KernelFamily.allCases)
    func halfWeightsMatchTheCPUOnRoundedWeightsAtHalfTheBytes(family: KernelFamily) throws {
        let h = try DifferentialHarness(kernelFamily: family)
        let backend = h.vulkan
        if family == .texel { try #require(backend.context.halfTexelBuffers, "the device has no RGBA16F texel buffers") }
        backend.winograd = false
        backend.weightPrecision = .fp16
        let convValues = h.random(32 * 16 * 9), linearValues = h.random(48 * 40)
        let x = h.random(2 * 16 * 9 * 7), tokens = h.random(5 * 40)
        let before = backend.allocatedDeviceBytes
        let convWeight = backend.tensor(convValues, shape: [32, 16, 3, 3])
        let linearWeight = backend.tensor(linearValues, shape: [48, 40])
        let conv = backend.conv2d(backend.tensor(x, shape: [2, 16, 9, 7]), weight: convWeight, bias: nil, stride: 1, padding: 1).values()
        let linear = backend.linear(backend.tensor(tokens, shape: [5, 40]), weight: linearWeight, bias: nil).values()
        backend.synchronize()
        // [9][16][32] and [40][48] fp16 values (48 columns: already whole 16-column tiles).
        #expect(backend.allocatedDeviceBytes - before == 9 * 16 * 32 * 2 + 40 * 48 * 2)

        let cpu = h.cpu, rounded = { (values: [Float]) in values.map(HalfPrecision.rounded) }
        let cpuConv = cpu.conv2d(cpu.tensor(x, shape: [2, 16, 9, 7]), weight: cpu.tensor(rounded(convValues), shape: [32, 16, 3, 3]),
                                 bias: nil, stride: 1, padding: 1).values()
        let cpuLinear = cpu.linear(cpu.tensor(tokens, shape: [5, 40]), weight: cpu.tensor(rounded(linearValues), shape: [48, 40]),
                                   bias: nil).values()
        for (got, want) in [(conv, cpuConv), (linear, cpuLinear)] {
            #expect(got.count == want.count)
            let error = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
            #expect(error <= 1e-5, "max abs error \(error) against the CPU on fp16-rounded weights")
        }
        // The weights read back as their fp16 values.
        #expect(zip(convWeight.values(), rounded(convValues)).filter { $0 != $1 }.count == 0)
        #expect(zip(linearWeight.values(), rounded(linearValues)).filter { $0 != $1 }.count == 0)
        h.expectNoValidationMessages()
    }
}
