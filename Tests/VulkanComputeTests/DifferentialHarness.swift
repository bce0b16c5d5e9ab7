import Compute
import Testing
import VulkanCompute

/// Runs the same op on the Vulkan backend (validation layer on when installed) and on the CPU reference, and
/// compares: max |vulkan − cpu| must stay within `tolerance × max(1, max |cpu|)`.
final class DifferentialHarness {
    let vulkan: VulkanBackend
    let cpu = CPUBackend()
    private var generator = SplitMix64(seed: 0x5EED)

    /// The kernel families' own kernels, whatever BELM_VULKAN_COOPMAT says: the cooperative-matrix kernel rounds
    /// activations to fp16, which these tolerances do not allow (CooperativeMatrixKernelTests checks it).
    init(kernelFamily: KernelFamily? = nil) throws {
        vulkan = try VulkanBackend(validation: true, kernelFamily: kernelFamily, cooperativeMatrices: false)
    }

    /// Uniform values in [-scale, scale], reproducible.
    func random(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in (Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    }

    /// Inputs as (shape, values); `op` builds the result on whichever backend it is given.
    func check(_ label: String, _ inputs: [([Int], [Float])], tolerance: Float = 1e-5,
               sourceLocation: SourceLocation = #_sourceLocation, _ op: (any Backend, [Tensor]) -> Tensor) {
        let expected = op(cpu, inputs.map { cpu.tensor($0.1, shape: $0.0) })
        let actual = op(vulkan, inputs.map { vulkan.tensor($0.1, shape: $0.0) })
        #expect(actual.shape == expected.shape, "\(label): shape", sourceLocation: sourceLocation)
        let want = expected.values(), got = actual.values()
        guard want.count == got.count else { return }
        let scale = max(1, want.map(abs).max() ?? 0)
        var worst: Float = 0, worstIndex = 0
        for i in want.indices {
            let error = want[i].isNaN || got[i].isNaN ? .infinity : abs(want[i] - got[i])
            if error > worst || (want[i] != got[i] && !error.isFinite) { worst = error; worstIndex = i }
        }
        #expect(worst <= tolerance * scale,
                "\(label): max abs error \(worst) at \(worstIndex) (cpu \(want[worstIndex]), vulkan \(got[worstIndex]))",
                sourceLocation: sourceLocation)
    }

    /// Every test ends with this: any validation message fails it.
    func expectNoValidationMessages(sourceLocation: SourceLocation = #_sourceLocation) {
        vulkan.synchronize()
        #expect(vulkan.validationMessages.isEmpty, "validation: \(vulkan.validationMessages.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }
}

/// A small reproducible generator (SplitMix64).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
