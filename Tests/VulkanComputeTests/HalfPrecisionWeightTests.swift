import Compute
import Tensors
import Testing
@testable import VulkanCompute

/// fp16 weight storage (`--precision fp16`): weights uploaded as fp16 stay fp16 through their packing; both
/// kernel families read them, widen them and accumulate in fp32, so their results match the CPU backend run on
/// the same weights rounded to fp16, while the weights hold half their fp32 bytes.
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
        let convValues = h.random(32 * 16 * 9), linearValues = h.random(48 * 40)
        let x = h.random(2 * 16 * 9 * 7), tokens = h.random(5 * 40)
        let before = backend.allocatedDeviceBytes
        let convWeight = backend.weight(HostTensor(shape: [32, 16, 3, 3], scalars: convValues), precision: .fp16)
        let linearWeight = backend.weight(HostTensor(shape: [48, 40], scalars: linearValues), precision: .fp16)
        // Uploaded as fp16: never an fp32 copy.
        #expect(backend.allocatedDeviceBytes - before == 32 * 16 * 9 * 2 + 48 * 40 * 2)
        let conv = backend.conv2d(backend.tensor(x, shape: [2, 16, 9, 7]), weight: convWeight, bias: nil, stride: 1, padding: 1).values()
        let linear = backend.linear(backend.tensor(tokens, shape: [5, 40]), weight: linearWeight, bias: nil).values()
        backend.synchronize()
        // [9][16][32] and [40][48] fp16 values (48 columns: already whole 16-column tiles), packed in place.
        #expect(backend.allocatedDeviceBytes - before == 9 * 16 * 32 * 2 + 40 * 48 * 2)

        // The CPU backend's fp16 weights are the rounded values (its emulation).
        let cpu = h.cpu, rounded = { (values: [Float]) in values.map(HalfPrecision.rounded) }
        let cpuConvWeight = cpu.weight(HostTensor(shape: [32, 16, 3, 3], scalars: convValues), precision: .fp16)
        let cpuLinearWeight = cpu.weight(HostTensor(shape: [48, 40], scalars: linearValues), precision: .fp16)
        #expect(cpuConvWeight.values() == rounded(convValues) && cpuLinearWeight.values() == rounded(linearValues))
        let cpuConv = cpu.conv2d(cpu.tensor(x, shape: [2, 16, 9, 7]), weight: cpuConvWeight, bias: nil, stride: 1, padding: 1).values()
        let cpuLinear = cpu.linear(cpu.tensor(tokens, shape: [5, 40]), weight: cpuLinearWeight, bias: nil).values()
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

    /// A weight read as an ordinary tensor before any kernel packs it (an fp16 row-major copy), and one the
    /// Winograd path transforms, give the fp16 values too.
    @Test func halfWeightsReadBackAndFeedWinogradAsTheirRoundedValues() throws {
        let h = try DifferentialHarness(kernelFamily: .texel)
        let backend = h.vulkan
        backend.winograd = true
        let values = h.random(8 * 8 * 9), x = h.random(1 * 8 * 8 * 8)
        let weight = backend.weight(HostTensor(shape: [8, 8, 3, 3], scalars: values), precision: .fp16)
        #expect(weight.values() == values.map(HalfPrecision.rounded))
        let got = backend.conv2d(backend.tensor(x, shape: [1, 8, 8, 8]), weight: weight, bias: nil, stride: 1, padding: 1).values()
        let cpu = h.cpu
        let want = cpu.conv2d(cpu.tensor(x, shape: [1, 8, 8, 8]), weight: cpu.weight(HostTensor(shape: [8, 8, 3, 3], scalars: values), precision: .fp16),
                              bias: nil, stride: 1, padding: 1).values()
        let error = zip(got, want).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error <= 1e-4, "max abs error \(error) against the CPU on fp16-rounded weights")
        h.expectNoValidationMessages()
    }
}
