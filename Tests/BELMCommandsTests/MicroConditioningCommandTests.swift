import Foundation
import Tensors
import Testing
@testable import BELMCommands

/// `--original-size`, `--crop-top-left` and `--target-size` on the tiny Stable Diffusion XL folder: given at the
/// image's own values they change nothing (the defaults are diffusers'), away from them they change the samples
/// (the golden against diffusers is SDXLPipelineGoldenTests' "micro" case); other models and malformed values are
/// refused naming the flag.
@Suite struct MicroConditioningCommandTests {
    /// The final latents of one 2-step DDIM sample of the SDXL folder with `extra` flags.
    static func latents(_ extra: [String]) throws -> [Float] {
        let root = scratchURL("sdxl-micro")
        defer { try? FileManager.default.removeItem(at: root) }
        let saved = root.appendingPathComponent("final.safetensors")
        var command = try BELM.parseAsRoot(["sample", "--model", SDXLCommandTests.model, "--prompt", "a red circle", "--sampler", "ddim",
                                            "--steps", "2", "--count", "1", "--backend", "cpu", "--quiet", "--out", root.appendingPathComponent("out").path,
                                            "--save-tensors", saved.path] + extra)
        try command.run()
        return try SafetensorsFile(contentsOf: saved).floatTensor("sample").scalars
    }

    @Test func theDefaultsAreTheImagesOwnSizeAndNoCrop() throws {
        let plain = try Self.latents([])
        // The tiny folder makes 16 × 16 images.
        #expect(try Self.latents(["--original-size", "16x16", "--crop-top-left", "0,0", "--target-size", "16x16"]) == plain)
        for flags in [["--original-size", "48x24"], ["--crop-top-left", "4,8"], ["--target-size", "12x20"]] {
            #expect(try Self.latents(flags) != plain, "\(flags) changed nothing")
        }
    }

    @Test func otherModelsAndMalformedValuesAreRefused() {
        let unet = DiffusersCommandTests.fixtures.appendingPathComponent("unet2d/classcond").path
        expectRefusals([
            (["sample", "--original-size", "48x24"], "--original-size applies to Stable Diffusion XL models"),
            (["sample", "--model", unet, "--null-class", "9", "--target-size", "12x20"], "--target-size applies to Stable Diffusion XL models"),
            (["sample", "--model", unet, "--null-class", "9", "--crop-top-left", "4,8"], "--crop-top-left applies to Stable Diffusion XL models"),
            (["sample", "--model", SDXLCommandTests.model, "--original-size", "48"], "\"48\" is not a size; write height x width in pixels, e.g. 1024x768"),
            (["sample", "--model", SDXLCommandTests.model, "--target-size", "0x16"], "height and width must lie in 1…65536 pixels"),
            (["sample", "--model", SDXLCommandTests.model, "--crop-top-left", "-1,0"], "top and left must lie in 0…65535 pixels"),
            (["sample", "--model", SDXLCommandTests.model, "--crop-top-left", "4x8"], "\"4x8\" is not a crop corner; write top,left in pixels"),
        ], common: ["--steps", "2", "--backend", "cpu"])
    }
}
