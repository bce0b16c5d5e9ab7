import Foundation
import Models
import Tensors
import Testing
@testable import BELMCommands
import BELMTestSupport

/// The experiment commands on the tiny Stable Diffusion XL folder (Tests/ModelsTests/Fixtures/sdxl/pipeline), as
/// on Stable Diffusion 1.5: the same options, the same outputs.
@Suite struct SDXLCommandTests {
    static let model = DiffusersCommandTests.fixtures.appendingPathComponent("sdxl/pipeline").path

    @Test func sampleReconstructInterpolateAndEdit() throws {
        let root = scratchURL("sdxl"), out = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        let jpeg = DiffusersCommandTests.fixtures.appendingPathComponent("jpeg/rgb.jpg").path
        var command = try BELM.parseAsRoot(["sample", "--model", Self.model, "--prompt", "a red circle", "--negative-prompt", "blurry",
                                            "--guidance", "3", "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("sample-belm-3.png").path))
        command = try BELM.parseAsRoot(["reconstruct", "--model", Self.model, "--image", jpeg, "--prompt", "a red circle", "--sampler", "belm",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        let metrics = try DiffusersCommandTests.records(out)
        #expect((metrics.first { $0["metric"] as? String == "mse" }!["value"] as! Double) < 1e-8)
        command = try BELM.parseAsRoot(["interpolate", "--model", Self.model, "--image", jpeg, jpeg, "--points", "3", "--sampler", "belm",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("interpolate-belm-3.png").path))
        command = try BELM.parseAsRoot(["edit", "--model", Self.model, "--image", jpeg, "--source-prompt", "A dog", "--target-prompt", "A Dalmatian",
                                        "--steps", "4", "--freeze-step", "1", "--guidance", "2", "--sampler", "belm", "--backend", "cpu",
                                        "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("edit-belm-4.png").path))
    }
}

extension SDXLCommandTests {
    /// `belm forward` on the SDXL UNet with diffusers' added_cond_kwargs names (text_embeds, time_ids).
    @Test func forwardTakesTheAddedConditions() throws {
        let root = scratchURL("sdxl-forward")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let fixtures = DiffusersCommandTests.fixtures.appendingPathComponent("sdxl")
        let output = root.appendingPathComponent("out.safetensors")
        var command = try BELM.parseAsRoot(["forward", "--model", Self.model, "--component", "unet", "--backend", "cpu",
                                            "--input", fixtures.appendingPathComponent("unet.inputs.safetensors").path, "--output", output.path])
        try command.run()
        let actual = try SafetensorsFile(contentsOf: output).floatTensor("sample").scalars
        let expected = try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("unet.expected.safetensors")).floatTensor("sample").scalars
        let scale = expected.map { abs($0) }.max()!
        #expect(zip(actual, expected).map { abs($0 - $1) }.max()! < 1e-4 * scale)
    }
}

/// `belm bench --configuration sdxl-unet`: its memory estimate from the config alone (no weights built).
@Suite struct SDXLBenchTests {
    @Test func estimateOnlyPrintsTheWeightsAndLargestBuffer() throws {
        let run = try BELMProcess.run(["bench", "--configuration", "sdxl-unet", "--batch-sizes", "1", "2", "--estimate-only", "--backend", "cpu"])
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.output.split(separator: "\n").filter { $0.hasPrefix("memory estimate") }
        #expect(lines.count == 2, "\(run.output)")
        #expect(lines.allSatisfy { $0.contains("1024² (128² latents)") && $0.contains("weights 9.56 GiB (2.567 G parameters in fp32)") }, "\(run.output)")
    }

    /// Batch 2 at 1024² needs buffers over lavapipe's 128 MiB binding (the feed-forward's at 64² latents alone is
    /// 160 MiB): refused before any weight is built, naming the sizes.
    @Test func aBatchOverTheBindingLimitIsRefused() throws {
        let run = try BELMProcess.run(["bench", "--configuration", "sdxl-unet", "--batch-sizes", "2", "--estimate-only", "--backend", "vulkan"])
        #expect(run.refused && run.errors.contains("--batch-sizes 2 at --resolution 1024") && run.errors.contains("binds 128 MiB"), "\(run.errors)")
    }

    @Test func estimateFollowsTheConfiguration() {
        let estimate = UNetMemoryEstimate(configuration: .stableDiffusionXL(), batch: 1, latentSide: 128, contextLength: 77, limitBytes: 128 << 20)
        #expect(estimate.parameterCount == 2_567_463_684 && estimate.weightBytes == 4 * 2_567_463_684)
        #expect(estimate.largestBufferBytes > 0 && estimate.largestBufferBytes <= 128 << 20)
    }

    /// fp16 weights take two bytes a parameter, and the printed estimate says which precision it counted.
    @Test func estimateCountsTheWeightsAtTheirPrecision() {
        let half = UNetMemoryEstimate(configuration: .stableDiffusion15(), batch: 2, latentSide: 32, contextLength: 77, limitBytes: 128 << 20,
                                      precision: .fp16)
        #expect(half.weightBytes == 2 * 859_520_964 && half.description.contains("G parameters in fp16"), "\(half)")
    }
}
