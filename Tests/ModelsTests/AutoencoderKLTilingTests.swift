import Compute
import Foundation
import Testing
import Tensors
import VulkanCompute
@testable import Models

/// diffusers' `enable_tiling()` encode and decode of the tiny SD1.5-like VAE with 4×4-latent (32×32-pixel) tiles:
/// 3×4 tiles per image, the last row and column narrower, on the CPU backend and on the Vulkan backend.
@Suite struct AutoencoderKLTilingTests {
    func vae(_ backend: any Backend) throws -> AutoencoderKL {
        try AutoencoderKL(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: backend)
    }

    func fixture(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOf: FixtureFiles.url("sd/\(name).safetensors"))
    }

    func tiledDecode(on backend: any Backend) throws {
        let inputs = try fixture("vae-tiled-decoder.inputs")
        let expected = try fixture("vae-tiled-decoder.expected").floatTensor("sample")
        let model = try vae(backend)
        model.tileLatentSize = Int(try inputs.intTensor("tile_latent_size").scalars[0])
        var plans: [AutoencoderKLPlan] = []
        model.planObserver = { plans.append($0) }
        let image = try model.decode(backend.tensor(try inputs.floatTensor("latent")))
        #expect(image.shape == expected.shape)
        #expect(relativeMaxError(image.values(), expected.scalars) < 1e-4)
        #expect(plans.map(\.tileLatentSize) == [4])
        #expect(plans.first?.description.hasPrefix("VAE decode tiled: 4×4-latent tiles as requested (largest buffer") == true)
    }

    func tiledEncode(on backend: any Backend) throws {
        let inputs = try fixture("vae-tiled-encoder.inputs")
        let expected = try fixture("vae-tiled-encoder.expected").floatTensor("latent_mean")
        let model = try vae(backend)
        model.tileLatentSize = Int(try inputs.intTensor("tile_latent_size").scalars[0])
        let mean = try model.encodeMean(backend.tensor(try inputs.floatTensor("sample")))
        #expect(mean.shape == expected.shape)
        #expect(relativeMaxError(mean.values(), expected.scalars) < 1e-4)
    }

    @Test func tiledDecodeOnCPU() throws { try tiledDecode(on: CPUBackend()) }
    @Test func tiledEncodeOnCPU() throws { try tiledEncode(on: CPUBackend()) }

    @Test func tiledDecodeAndEncodeOnVulkan() throws {
        let vulkan = try VulkanBackend(validation: true)
        try tiledDecode(on: vulkan)
        try tiledEncode(on: vulkan)
        #expect(vulkan.validationMessages.isEmpty, "validation: \(vulkan.validationMessages.joined(separator: "\n"))")
    }

    /// Without a tile size the CPU backend (no binding limit) decodes whole: diffusers' plain decode, which the
    /// tiles visibly change (each tile's GroupNorm statistics are its own).
    @Test func untiledWhenEverythingFits() throws {
        let backend = CPUBackend()
        let latent = try fixture("vae-tiled-decoder.inputs").floatTensor("latent")
        let expected = try fixture("vae-tiled-decoder.expected")
        let untiled = try expected.floatTensor("untiled_sample").scalars
        let model = try vae(backend)
        let plan = try model.decodePlan(batch: 2, latentHeight: 8, latentWidth: 10)
        #expect(!plan.isSplit && plan.imagesPerPass == 2)
        let image = try model.decode(backend.tensor(latent)).values()
        #expect(relativeMaxError(image, untiled) < 1e-4)
        #expect(relativeMaxError(try expected.floatTensor("sample").scalars, untiled) > 0.1)
    }

    /// A limit between one image's and the batch's estimate runs the batch an image at a time, with the
    /// same result as at once (GroupNorm is per image).
    @Test func imageAtATimeMatchesWholeBatch() throws {
        let backend = CPUBackend()
        let model = try vae(backend)
        let c = model.configuration
        let one = c.largestBufferBytes(.decode, images: 1, latentHeight: 4, latentWidth: 4, scoreBudget: 1 << 20)
        let plan = try AutoencoderKLPlan(c, .decode, batch: 2, latentHeight: 4, latentWidth: 4, limitBytes: one, backendName: "test")
        #expect(plan.imagesPerPass == 1 && !plan.isTiled)
        #expect(plan.description.hasPrefix("VAE decode one image at a time (full 32×32 decode of 2 images needs"))
        let latent = try fixture("vae-decoder.inputs").floatTensor("latent")
        let expected = try fixture("vae-decoder.expected").floatTensor("sample")
        var observed: [AutoencoderKLPlan] = []
        model.planObserver = { observed.append($0) }
        let image = try model.run(plan, on: backend.tensor(latent), whole: model.wholeDecode) { _, _ in
            Issue.record("no tiles were planned"); return backend.zeros([1])
        }
        #expect(observed == [plan])
        #expect(relativeMaxError(image.values(), expected.scalars) < 1e-4)
    }

    @Test func badTileSizes() throws {
        let model = try vae(CPUBackend())
        model.tileLatentSize = 6
        #expect(throws: ModelInputError.self) { try model.decode(model.backend.zeros([1, 4, 8, 8])) }
        // Nothing fits a 1 KiB limit.
        #expect(throws: ModelInputError.self) {
            try AutoencoderKLPlan(model.configuration, .decode, batch: 1, latentHeight: 8, latentWidth: 8, limitBytes: 1024, backendName: "test")
        }
    }
}
