import Compute
import Foundation
import Testing
import Tensors
@testable import Models

/// diffusers' outputs for a tiny random-weight AutoencoderKL mirroring Stable Diffusion 1.5's vae/.
@Suite struct AutoencoderKLGoldenTests {
    let backend = CPUBackend()

    func vae() throws -> AutoencoderKL {
        try AutoencoderKL(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: backend)
    }

    @Test func encoderPosteriorMean() throws {
        let image = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-encoder.inputs.safetensors")).floatTensor("sample")
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-encoder.expected.safetensors")).floatTensor("latent_mean")
        let mean = try vae().encodeMean(backend.tensor(image))
        #expect(mean.shape == expected.shape)
        #expect(relativeMaxError(mean.values(), expected.scalars) < 1e-4)
    }

    @Test func posteriorDrawWithGivenNoise() throws {
        let image = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-encoder.inputs.safetensors")).floatTensor("sample")
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-encoder.expected.safetensors"))
        let drawn = try vae().encodeSample(backend.tensor(image), noise: backend.tensor(try expected.floatTensor("noise")))
        #expect(relativeMaxError(drawn.values(), try expected.floatTensor("latent_sample").scalars) < 1e-4)
        #expect(throws: ModelInputError.self) { try vae().encodeSample(backend.tensor(image), noise: backend.zeros([2, 4, 2, 2])) }
    }

    @Test func decoder() throws {
        let latent = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-decoder.inputs.safetensors")).floatTensor("latent")
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-decoder.expected.safetensors")).floatTensor("sample")
        let image = try vae().decode(backend.tensor(latent))
        #expect(image.shape == expected.shape)
        #expect(relativeMaxError(image.values(), expected.scalars) < 1e-4)
    }

    @Test func scalingFactorFromConfig() throws {
        #expect(try vae().scalingFactor == 0.18215)
    }

    @Test func badInputs() throws {
        let model = try vae()
        #expect(throws: ModelInputError.self) { try model.encodeMean(backend.zeros([1, 3, 12, 12])) }
        #expect(throws: ModelInputError.self) { try model.decode(backend.zeros([1, 3, 4, 4])) }
    }
}
