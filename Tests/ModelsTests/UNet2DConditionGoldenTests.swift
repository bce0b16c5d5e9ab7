import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models

/// diffusers' outputs for tiny random-weight UNet2DConditionModels mirroring Stable Diffusion 1.5's unet/
/// (inside a pipeline folder) and SD 2.x's (linear projections, per-level head counts), text-conditioned,
/// with per-sample timesteps.
@Suite struct UNet2DConditionGoldenTests {
    let backend = CPUBackend()

    func check(folder: String, case name: String) throws {
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/\(folder)")), backend: backend)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/\(name).inputs.safetensors"))
        let output = try model.forward(backend.tensor(try inputs.floatTensor("sample")),
                                       timesteps: try inputs.floatTensor("timestep").scalars.map(Double.init),
                                       conditioning: .text(backend.tensor(try inputs.floatTensor("encoder_hidden_states"))))
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/\(name).expected.safetensors")).floatTensor("sample")
        #expect(output.shape == expected.shape)
        #expect(relativeMaxError(output.values(), expected.scalars) < 1e-4)
    }

    @Test func stableDiffusion15Configuration() throws { try check(folder: "sd15", case: "sd15-unet") }

    @Test func stableDiffusion2Configuration() throws { try check(folder: "sd2unet", case: "sd2-unet") }

    @Test func textConditioningIsRequiredAndChecked() throws {
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: backend)
        let x = backend.zeros([1, 4, 16, 16])
        #expect(throws: ModelInputError.self) { try model.forward(x, timesteps: [1], conditioning: .unconditional) }
        #expect(throws: ModelInputError.self) { try model.forward(x, timesteps: [1], conditioning: .text(backend.zeros([1, 7, 9]))) }
        #expect(throws: ModelInputError.self) { try model.forward(x, timesteps: [1], conditioning: .text(backend.zeros([2, 7, 8]))) }
    }
}

@Suite struct BenchmarkConfigurationTests {
    /// The built-in configurations the benchmark uses parse as their real checkpoints would.
    @Test func builtInConfigurations() {
        let sd = UNet2DConditionConfiguration.stableDiffusion15()
        #expect(sd.attentionHeads == [8, 8, 8, 8])
        #expect(sd.downBlockCrossAttention == [true, true, true, false])
        #expect(sd.timeEmbeddingChannels == 1280)
        let cifar = UNet2DConfiguration.ddpmCIFAR10()
        #expect(cifar.downBlockAttention == [false, true, false, false])
        #expect(cifar.attentionHeadDim == nil)
    }
}
