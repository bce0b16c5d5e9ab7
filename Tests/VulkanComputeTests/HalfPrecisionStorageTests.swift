import Compute
import Tensors
import Testing
@testable import VulkanCompute

/// fp16 activation storage: the device's conversions are the host's bit for bit (ties to even, ±infinity beyond
/// 65504, subnormals, NaN), and every op stores its output at the precision its activation inputs carry, with
/// the same values as the CPU backend's emulation, which rounds each fp16 output once.
@Suite struct HalfPrecisionStorageTests {
    /// Raw fp16 bits of a tensor stored in fp16 on the device.
    static func halfBits(_ tensor: Tensor, on backend: VulkanBackend) -> [UInt16] {
        let storage = backend.storage(tensor)
        #expect(storage.precision == .fp16, "\(tensor) is stored in fp16")
        var bits = [UInt16](repeating: 0, count: tensor.count)
        bits.withUnsafeMutableBytes { backend.stream.download(storage.rowMajor!, count: $0.count, into: $0) }
        return bits
    }

    @Test func narrowingOnTheDeviceRoundsAsTheHostDoes() throws {
        let h = try DifferentialHarness()
        let specials: [Float] = [0, -0.0, 1, -2, 65504, -65504, 65519.99, 65520, -65520, 1e6, -.infinity, .infinity,
                                 1 + 0x1p-11, 1 + 3 * 0x1p-11, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1.0p-26, 0x1.4p-24, 0x1.8p-24,
                                 0x1p-14, 0x1.ffcp-15, 0x1.ffep-15, Float.leastNonzeroMagnitude, Float.leastNormalMagnitude,
                                 -0x1.8p-20, 3.14159, 2048.5, 2049, .greatestFiniteMagnitude]
        let values = specials + h.random(2001, scale: 70000) + h.random(500, scale: 1e-5)
        let stored = h.vulkan.stored(h.vulkan.tensor(values, shape: [values.count]), as: .fp16)
        #expect(stored.precision == .fp16)
        let bits = Self.halfBits(stored, on: h.vulkan)
        let mismatches = values.indices.filter { bits[$0] != HalfPrecision.bits(values[$0]) }
        #expect(mismatches.isEmpty, "device ≠ host at \(mismatches.prefix(5).map { (values[$0], bits[$0], HalfPrecision.bits(values[$0])) })")
        // NaN stays NaN.
        #expect(h.vulkan.stored(h.vulkan.tensor([.nan, 1, 2], shape: [3]), as: .fp16).values()[0].isNaN)
        h.expectNoValidationMessages()
    }

    @Test func wideningOnTheDeviceIsExactForEveryHalf() throws {
        let h = try DifferentialHarness()
        let all = (0...UInt16.max).map { HalfPrecision.value($0) }
        // Uploaded as fp16 bits (a weight), widened on the device when read back.
        let half = h.vulkan.weight(HostTensor(shape: [all.count], scalars: all), precision: .fp16)
        let wide = h.vulkan.stored(half, as: .fp32)
        #expect(wide.precision == .fp32)
        let back = wide.values()
        let mismatches = all.indices.filter { all[$0].isNaN ? !back[$0].isNaN : back[$0].bitPattern != all[$0].bitPattern }
        #expect(mismatches.isEmpty, "widened wrongly: \(mismatches.prefix(5).map { (UInt16($0), back[$0]) })")
        h.expectNoValidationMessages()
    }

    /// An fp16 output holds 2 bytes a value; fp32 parameters (bias, norm affine, an embedding table) do not widen
    /// an fp16 activation, and fp16 weights do not narrow an fp32 one.
    @Test func outputsTakeTheActivationsPrecisionAtTwoBytesAValue() throws {
        let h = try DifferentialHarness()
        let b = h.vulkan
        let x = b.stored(b.tensor(h.random(4 * 64), shape: [4, 64]), as: .fp16)
        let weight = b.weight(HostTensor(shape: [64, 64], scalars: h.random(64 * 64)), precision: .fp16)
        let bias = b.tensor(h.random(64), shape: [64])
        let y = b.linear(x, weight: weight, bias: bias)
        #expect(y.precision == .fp16 && b.storage(y).precision == .fp16)
        b.synchronize()
        let before = b.allocatedDeviceBytes
        let z = b.layerNorm(y, weight: bias, bias: bias, eps: 1e-5)
        b.synchronize()
        #expect(b.allocatedDeviceBytes - before == 512, "4 × 64 fp16 values in one 256-byte-aligned region, not \(b.allocatedDeviceBytes - before)")
        #expect(z.precision == .fp16)
        #expect(b.linear(b.tensor(h.random(64), shape: [1, 64]), weight: weight, bias: nil).precision == .fp32)
        #expect(b.add(b.tensor(h.random(4 * 64), shape: [4, 64]), x).precision == .fp16)
        #expect(b.embedding(b.tensor(h.random(64), shape: [4, 16]), indices: [1, 2]).precision == .fp32)
        h.expectNoValidationMessages()
    }
}
