import Compute
import Foundation
import Testing
import Tensors
import VulkanCompute
@testable import Models

/// A model's weights hold one device copy once its forward pass has repacked them for their kernels: running the
/// tiny SD1.5-shaped UNet leaves the device holding what loading it took, plus only the zero padding of the
/// layouts that need one, where keeping the row-major values beside the packed ones would double it.
@Suite struct VulkanWeightMemoryTests {
    @Test(arguments: KernelFamily.allCases)
    func forwardPassLeavesOneCopyOfEachWeight(family: KernelFamily) throws {
        let vulkan = try VulkanBackend(validation: true, kernelFamily: family)
        vulkan.winograd = false
        let empty = vulkan.allocatedDeviceBytes
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: vulkan)
        let loaded = vulkan.allocatedDeviceBytes - empty
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/sd15-unet.inputs.safetensors"))
        for _ in 0..<2 {
            _ = try model.forward(vulkan.tensor(try inputs.floatTensor("sample")),
                                  timesteps: try inputs.floatTensor("timestep").scalars.map(Double.init),
                                  conditioning: .text(vulkan.tensor(try inputs.floatTensor("encoder_hidden_states")))).values()
        }
        vulkan.synchronize()
        let held = vulkan.allocatedDeviceBytes - empty
        let weights = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/sd15/unet/diffusion_pytorch_model.safetensors"))
        let shapes = weights.entries.values.map(\.shape)
        #expect(loaded == shapes.map(Self.rowMajorBytes).reduce(0, +))
        #expect(held == shapes.map(Self.packedBytes).reduce(0, +), "weights hold \(held) bytes after a forward pass, \(loaded) once loaded")
        #expect(vulkan.validationMessages.isEmpty, "validation: \(vulkan.validationMessages.joined(separator: "\n"))")
    }

    /// Device regions are whole 256-byte units (the arena's alignment on lavapipe and common GPUs).
    static func region(_ bytes: Int) -> Int { (bytes + 255) / 256 * 256 }

    static func rowMajorBytes(_ shape: [Int]) -> Int { region(4 * shape.reduce(1, *)) }

    /// What a weight holds once its kernel has repacked it: conv weights [Co][Ci][kh][kw] as [kh·kw][Ci rounded up to
    /// 4][Co rounded up to 16], linear ones [out][in] as [in rounded up to 4][out rounded up to 16], others as loaded.
    static func packedBytes(_ shape: [Int]) -> Int {
        let up = { (value: Int, multiple: Int) in (value + multiple - 1) / multiple * multiple }
        switch shape.count {
        case 4: return region(4 * shape[2] * shape[3] * up(shape[1], 4) * up(shape[0], 16))
        case 2: return region(4 * up(shape[1], 4) * up(shape[0], 16))
        default: return rowMajorBytes(shape)
        }
    }
}
