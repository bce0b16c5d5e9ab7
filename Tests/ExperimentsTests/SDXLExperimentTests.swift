import Compute
import Diffusion
import Foundation
import Models
import Tensors
import Testing
import VulkanCompute
@testable import Experiments

/// Every experiment on a Stable Diffusion XL folder (the tiny one of Tests/ModelsTests/Fixtures/generate_sdxl.py:
/// 8×8 latents, 16×16 images), through the paths Stable Diffusion 1.5 takes.
@Suite struct SDXLExperimentTests {
    static let folder = DiffusersExperimentTests.fixtures.appendingPathComponent("sdxl/pipeline")

    /// Exact inversion through SDXL: O-BELM's latent round trip at float32 round-off, DDIM far above.
    @Test(arguments: ["cpu", "vulkan"])
    func reconstructionIsExactWithOBELM(_ backendName: String) throws {
        let backend = try DiffusersExperimentTests.backend(backendName)
        let model = try ExperimentModel.load(Self.folder.path, backend: backend)
        #expect(model.isLatent && model.takesPrompts && model.sampleShape == [4, 8, 8] && model.imageShape == [3, 16, 16])
        let settings = RunSettings(samplers: [.ddim, .belm], steps: [4], count: 1, batchSize: 1)
        let output = try ReconstructionExperiment(settings: settings, images: DiffusersExperimentTests.images(1, [3, 16, 16]),
                                                  condition: .prompt("a red circle")).run(model, backend: backend)
        #expect(DiffusersExperimentTests.value(output.records, "belm", "mse") < 1e-8, "O-BELM on \(backendName)")
        #expect(DiffusersExperimentTests.value(output.records, "ddim", "mse") > 1e-4)
        #expect(output.reconstructions[0].samples.shape == [1, 3, 16, 16])
    }

    /// Sampling with and without guidance and a negative prompt, interpolation and editing all run and differ
    /// where they should.
    @Test func samplingInterpolationAndEditing() throws {
        let backend = CPUBackend()
        let model = try ExperimentModel.load(Self.folder.path, backend: backend)
        let settings = RunSettings(samplers: [.belm], steps: [3], count: 2, batchSize: 2)
        let guided = try SamplingExperiment(settings: settings, prompts: ["a red circle", "a blue square"], guidance: 3).run(model, backend: backend)
        let negative = try SamplingExperiment(settings: settings, prompts: ["a red circle", "a blue square"], negativePrompt: "blurry",
                                              guidance: 3).run(model, backend: backend)
        let plain = try SamplingExperiment(settings: settings, prompts: ["a red circle", "a blue square"], guidance: nil).run(model, backend: backend)
        #expect(guided.runs[0].samples.shape == [2, 3, 16, 16])
        #expect(guided.runs[0].samples.scalars.allSatisfy { $0.isFinite })
        #expect(guided.runs[0].samples.scalars != negative.runs[0].samples.scalars)
        #expect(guided.runs[0].samples.scalars != plain.runs[0].samples.scalars)
        let strip = try InterpolationExperiment(settings: RunSettings(samplers: [.belm], steps: [3], count: 1, batchSize: 1),
                                                endpoints: .files(DiffusersExperimentTests.images(2, [3, 16, 16])), points: 3)
            .run(model, backend: backend)
        #expect(strip.strips[0].samples.shape == [3, 3, 16, 16])
        let edit = try EditingExperiment(settings: RunSettings(samplers: [.belm], steps: [4], count: 1, batchSize: 1),
                                         source: .prompt("A dog"), target: .prompt("A Dalmatian"), freezeStep: 1, guidance: 2,
                                         images: DiffusersExperimentTests.images(1, [3, 16, 16]), negativePrompt: "blurry").run(model, backend: backend)
        #expect(edit.edits[0].samples.shape == [1, 3, 16, 16])
        guard case .textAndAdded(let states, let pooled, let ids) = try model.conditioning([.prompt("a cat"), .unconditional]) else {
            Issue.record("SDXL conditioning is not textAndAdded"); return
        }
        #expect(states.shape == [2, 77, 20] && pooled.shape == [2, 6] && ids.count == 12)
        #expect(pooled.values()[6...].allSatisfy { $0 == 0 })  // force_zeros_for_empty_prompt
    }

    /// A folder missing a second text component, or whose parts disagree, fails naming the folder or file and field.
    @Test func brokenSDXLFoldersAreRefused() throws {
        let root = try DiffusersExperimentTests.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        for component in ["text_encoder_2", "tokenizer_2"] {
            let folder = root.appendingPathComponent("missing-\(component)")
            try FileManager.default.copyItem(at: Self.folder, to: folder)
            try FileManager.default.removeItem(at: folder.appendingPathComponent(component))
            let error = try #require(throws: TensorFileError.self) { try ExperimentModel.load(folder.path, backend: CPUBackend()) }
            #expect(error.path.hasSuffix(component) && error.problem.contains("missing"), "\(error)")
        }
        // text_encoder_2 swapped for the first encoder: no text_projection, and other widths.
        let swapped = root.appendingPathComponent("swapped")
        try FileManager.default.copyItem(at: Self.folder, to: swapped)
        try FileManager.default.removeItem(at: swapped.appendingPathComponent("text_encoder_2"))
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("text_encoder"), to: swapped.appendingPathComponent("text_encoder_2"))
        let projection = try #require(throws: TensorFileError.self) { try ExperimentModel.load(swapped.path, backend: CPUBackend()) }
        #expect(projection.path.hasSuffix("text_encoder_2/model.safetensors") && projection.problem.contains("text_projection"))
        // An added embedding that disagrees with the encoders (and with its weights' shape: the config is read first).
        let wide = root.appendingPathComponent("wide")
        try FileManager.default.copyItem(at: Self.folder, to: wide)
        let unetConfig = wide.appendingPathComponent("unet/config.json")
        var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: unetConfig)) as! [String: Any]
        fields["addition_time_embed_dim"] = 2
        try JSONSerialization.data(withJSONObject: fields).write(to: unetConfig)
        let width = try #require(throws: TensorFileError.self) { try ExperimentModel.load(wide.path, backend: CPUBackend()) }
        #expect(width.path.hasSuffix("unet/config.json") && width.problem.contains("projection_class_embeddings_input_dim"), "\(width)")
    }
}
