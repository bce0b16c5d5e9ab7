import Compute
import Foundation
import Testing
import VulkanCompute
@testable import Models

/// Stable Diffusion 1.5's real VAE and UNet configurations at 512² against lavapipe's 128 MiB binding limit
/// (maxStorageBufferRange): every planned buffer fits. Pure arithmetic on the configurations, no run.
@Suite struct StableDiffusionBufferPlanTests {
    static let lavapipe = 128 << 20

    @Test func vaeDecodeAt512IsTiledToFit() throws {
        let vae = AutoencoderKLConfiguration.stableDiffusion15()
        let plan = try AutoencoderKLPlan(vae, .decode, batch: 1, latentHeight: 64, latentWidth: 64, limitBytes: Self.lavapipe, backendName: "lavapipe")
        // Whole, the 256-channel 512² activations (and conv2d's padded copy of them) take twice the limit.
        #expect(plan.wholeBatchBufferBytes > 2 * Self.lavapipe)
        #expect(plan.tileLatentSize == 32 && plan.imagesPerPass == 1)
        #expect(plan.largestBufferBytes <= Self.lavapipe)
        #expect(plan.description == "VAE decode tiled: 32×32-latent tiles (full 512×512 decode needs 259 MiB buffers; lavapipe binds 128 MiB)")
        // Two images' 32×32 tiles together would take 130 MiB: a batch of 2 goes an image at a time.
        let pair = try AutoencoderKLPlan(vae, .decode, batch: 2, latentHeight: 64, latentWidth: 64, limitBytes: Self.lavapipe, backendName: "lavapipe")
        #expect(pair.tileLatentSize == 32 && pair.imagesPerPass == 1 && pair.largestBufferBytes <= Self.lavapipe)
    }

    @Test func vaeEncodeAt512IsTiledToFit() throws {
        let vae = AutoencoderKLConfiguration.stableDiffusion15()
        let plan = try AutoencoderKLPlan(vae, .encode, batch: 1, latentHeight: 64, latentWidth: 64, limitBytes: Self.lavapipe, backendName: "lavapipe")
        // The 128-channel 512² conv input padded to 514² is just over 128 MiB.
        #expect(plan.wholeBatchBufferBytes == 4 * 514 * 514 * 128)
        #expect(plan.isTiled && plan.largestBufferBytes <= Self.lavapipe)
    }

    @Test func vaeAt256RunsWhole() throws {
        let vae = AutoencoderKLConfiguration.stableDiffusion15()
        let plan = try AutoencoderKLPlan(vae, .decode, batch: 1, latentHeight: 32, latentWidth: 32, limitBytes: Self.lavapipe, backendName: "lavapipe")
        #expect(!plan.isSplit && plan.largestBufferBytes <= Self.lavapipe)
    }

    /// A guided step (batch 2) at 64² latents: the attention's 4096² scores go one head at a time.
    @Test func unetGuidedStepAt512Fits() {
        let unet = UNet2DConditionConfiguration.stableDiffusion15()
        let budget = MultiHeadAttention.effectiveScoreBudget(limitBytes: Self.lavapipe)
        #expect(budget == 4096 * 4096)
        let bytes = unet.largestBufferBytes(batch: 2, latentHeight: 64, latentWidth: 64, contextLength: 77, limitBytes: Self.lavapipe)
        #expect(bytes <= Self.lavapipe)
        // Without the backend's limit the default budget (4 heads at once) would not fit.
        let unlimited = unet.largestBufferBytes(batch: 2, latentHeight: 64, latentWidth: 64, contextLength: 77, limitBytes: .max)
        #expect(unlimited > Self.lavapipe)
    }

    /// On a device, a batch whose estimate exceeds one binding is refused with an error before any op runs
    /// (the tiny SD1.5-like UNet at 16² latents: a batch of 8192 needs 512 MiB for its GEGLU projection; lavapipe binds
    /// 128 MiB, a GPU may bind more, so the batch doubles until it is over the device's limit).
    @Test func unetRefusesABatchOverTheBindingLimit() throws {
        let vulkan = try VulkanBackend()
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: vulkan)
        var batch = 8192
        while model.largestBufferBytes(batch: batch, height: 16, width: 16, contextLength: 7) <= vulkan.maxTensorBytes { batch *= 2 }
        let bytes = model.largestBufferBytes(batch: batch, height: 16, width: 16, contextLength: 7)
        try #require(bytes > vulkan.maxTensorBytes)
        #expect(model.largestBufferBytes(batch: 2, height: 16, width: 16, contextLength: 7) <= vulkan.maxTensorBytes)
        let sample = vulkan.zeros([batch, 4, 16, 16]), text = vulkan.zeros([batch, 7, 8])
        #expect(throws: ModelInputError.self) {
            try model.forward(sample, timesteps: [500], conditioning: .text(text))
        }
    }
}
