import Compute
import Diffusion
import Foundation
import Models
import Tensors
import Testing
@testable import Experiments

/// `--precision fp16` on a Stable Diffusion folder: the UNet takes fp16 weights and activations, the VAE, on the
/// same backend, stays fp32 (diffusers' `force_upcast`).
@Suite struct HalfPrecisionPipelineTests {
    @Test func theUNetTakesItsPrecisionAndTheVAEStaysFP32() throws {
        let root = try DiffusersExperimentTests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try DiffusersExperimentTests.stableDiffusionFolder(in: root)
        let backend = CPUBackend()
        let full = try DiffusersPipeline(folder: folder, backend: backend)
        let half = try DiffusersPipeline(folder: folder, backend: backend, precision: .fp16)

        let latent = backend.tensor(DiffusersExperimentTests.images(1, [4, 8, 8]))
        #expect(try half.autoencoder!.decode(latent).values() == full.autoencoder!.decode(latent).values(), "the VAE is fp32 either way")

        // (This fixture's text encoder is stored in F16, so rounding leaves it as it is; the CLIP golden of
        // ModelsTests checks fp16 text encoders.)
        let text = try full.promptEncoder!.conditioning(["a photo"]).conditioning
        let noise = try full.unet.forward(latent, timesteps: [500], conditioning: text).values()
        let halfNoise = try half.unet.forward(latent, timesteps: [500], conditioning: text).values()
        #expect(halfNoise != noise, "the UNet's weights are rounded to fp16")

        // The fp16 UNet hands back fp32, and its fp16 activations do not reach the VAE that decodes after it.
        let halfOutput = try half.unet.forward(latent, timesteps: [500], conditioning: text)
        #expect(halfOutput.precision == .fp32)
        let decoded = try half.autoencoder!.decode(halfOutput)
        #expect(decoded.precision == .fp32)
        #expect(decoded.values() == (try full.autoencoder!.decode(backend.tensor(halfNoise, shape: halfOutput.shape)).values()))
    }
}
