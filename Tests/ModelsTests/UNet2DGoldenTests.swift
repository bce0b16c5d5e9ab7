import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models
import VulkanCompute

/// diffusers' own outputs for tiny random-weight UNet2DModels that mirror the real checkpoints' configs,
/// with per-sample timesteps in each batch, on the CPU reference backend and on the Vulkan backend.
@Suite struct UNet2DGoldenTests {
    func run(_ name: String, on backend: any Backend = CPUBackend()) throws -> (actual: [Float], expected: [Float]) {
        let folder = try DiffusersFolder(FixtureFiles.url("unet2d/\(name)"))
        let model = try UNet2DModel(folder: folder, backend: backend)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("unet2d/\(name).inputs.safetensors"))
        let sample = backend.tensor(try inputs.floatTensor("sample"))
        let timesteps = try inputs.floatTensor("timestep").scalars.map(Double.init)
        let conditioning: Conditioning = inputs.entries["class_labels"] == nil ? .unconditional
            : .classes(try inputs.intTensor("class_labels").scalars.map { Int($0) })
        let output = try model.forward(sample, timesteps: timesteps, conditioning: conditioning)
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("unet2d/\(name).expected.safetensors")).floatTensor("sample")
        #expect(output.shape == expected.shape)
        return (output.values(), expected.scalars)
    }

    @Test func cifar10Configuration() throws {
        let (actual, expected) = try run("cifar10")
        #expect(relativeMaxError(actual, expected) < 1e-4)
    }

    @Test func celebAHQConfiguration() throws {
        let (actual, expected) = try run("celebahq")
        #expect(relativeMaxError(actual, expected) < 1e-4)
    }

    @Test func classConditionalConfiguration() throws {
        let (actual, expected) = try run("classcond")
        #expect(relativeMaxError(actual, expected) < 1e-4)
    }

    @Test(arguments: ["cifar10", "celebahq", "classcond"])
    func onVulkan(_ name: String) throws {
        let vulkan = try VulkanBackend(validation: true)
        let (actual, expected) = try run(name, on: vulkan)
        #expect(relativeMaxError(actual, expected) < 1e-4)
        vulkan.synchronize()
        #expect(vulkan.validationMessages.isEmpty, "validation: \(vulkan.validationMessages.joined(separator: "\n"))")
    }
}
