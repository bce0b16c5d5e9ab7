import Compute
import Diffusion
import Foundation
import Models
import Tensors
import Testing
import VulkanCompute
@testable import Experiments

/// The experiments on diffusers checkpoints: the tiny fixture models of Tests/ModelsTests/Fixtures (a
/// class-conditional UNet2DModel, and a Stable Diffusion 1.5 pipeline assembled from its parts), on the CPU
/// reference backend and on Vulkan.
@Suite struct DiffusersExperimentTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelsTests/Fixtures")

    static func backend(_ name: String) throws -> any Backend {
        name == "vulkan" ? try VulkanBackend(validation: true) : CPUBackend()
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("belm-diffusers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The class-conditional fixture (10 class rows) copied with a belm.json naming 9 classes and null class 9.
    static func classConditionalFolder(in root: URL, name: String = "classcond", labels: String? = nil) throws -> URL {
        let folder = root.appendingPathComponent(name)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("unet2d/classcond"), to: folder)
        let json = labels ?? #"{"classes": ["a", "b", "c", "d", "e", "f", "g", "h", "i"], "null_class": 9}"#
        try Data(json.utf8).write(to: folder.appendingPathComponent("belm.json"))
        return folder
    }

    /// A Stable Diffusion folder: unet/, vae/, scheduler/ and model_index.json of sd/sd15, the CLIP tokenizer and
    /// the matching tiny text encoder (hidden size 8 = the UNet's cross_attention_dim).
    static func stableDiffusionFolder(in root: URL) throws -> URL {
        let folder = root.appendingPathComponent("sd15")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15"), to: folder)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("clip/tokenizer"), to: folder.appendingPathComponent("tokenizer"))
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15-text_encoder"), to: folder.appendingPathComponent("text_encoder"))
        return folder
    }

    /// Smooth test images in [-1, 1].
    static func images(_ count: Int, _ shape: [Int]) -> HostTensor {
        let size = shape.reduce(1, *)
        return HostTensor(shape: [count] + shape, scalars: (0..<(count * size)).map { Float(0.8 * sin(Double($0) * 0.37)) })
    }

    static func value(_ records: [MetricRecord], _ sampler: String, _ metric: String) -> Double {
        records.first { $0.sampler == sampler && $0.metric == metric }!.value
    }

    /// Exact inversion holds on a UNet too: BELM, EDICT and BDIA come back to float32 round-off, DDIM does not.
    @Test(arguments: ["cpu", "vulkan"])
    func unetReconstructionIsExact(_ backendName: String) throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = try Self.backend(backendName)
        let model = try ExperimentModel.load(try Self.classConditionalFolder(in: root).path, backend: backend)
        #expect(model.sampleShape == [3, 16, 16] && model.imageShape == [3, 16, 16] && !model.isLatent)
        #expect(model.classNames.count == 9 && model.classNames[2] == "c")
        let settings = RunSettings(samplers: [.ddim, .edict, .bdia, .belm], steps: [3], count: 2, batchSize: 2)
        let output = try ReconstructionExperiment(settings: settings, images: Self.images(2, [3, 16, 16]), condition: .label(2))
            .run(model, backend: backend)
        for sampler in ["edict", "bdia", "belm"] {
            #expect(Self.value(output.records, sampler, "mse") < 1e-8, "\(sampler) on \(backendName)")
        }
        #expect(Self.value(output.records, "ddim", "mse") > 1e-4)
        #expect(output.reconstructions[0].samples.shape == [2, 3, 16, 16])
    }

    /// Class-conditional sampling with guidance from the null class, and editing class to class.
    @Test func classConditionalSamplingAndEditing() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = CPUBackend()
        let model = try ExperimentModel.load(try Self.classConditionalFolder(in: root).path, backend: backend)
        let settings = RunSettings(samplers: [.belm], steps: [3], count: 2, batchSize: 2)
        let sampled = try SamplingExperiment(settings: settings, classes: [0, 4], guidance: 2).run(model, backend: backend)
        #expect(sampled.runs[0].samples.shape == [2, 3, 16, 16])
        #expect(sampled.runs[0].samples.scalars.allSatisfy { $0.isFinite })
        let unguided = try SamplingExperiment(settings: settings, classes: [0, 4]).run(model, backend: backend)
        #expect(unguided.runs[0].samples.scalars != sampled.runs[0].samples.scalars)
        let edit = try EditingExperiment(settings: settings, source: .label(0), target: .label(1), freezeStep: 1, guidance: 2,
                                         images: Self.images(2, [3, 16, 16])).run(model, backend: backend)
        #expect(Set(edit.records.map(\.metric)) == ["mse", "ssim"])
        // Guidance needs the unconditional branch: without belm.json or --null-class, a clear error.
        let bare = try ExperimentModel.load(Self.fixtures.appendingPathComponent("unet2d/classcond").path, backend: backend)
        #expect(throws: ExperimentError.self) { try SamplingExperiment(settings: settings, classes: [0], guidance: 2).run(bare, backend: backend) }
        let overridden = try ExperimentModel.load(Self.fixtures.appendingPathComponent("unet2d/classcond").path, nullClass: 9, backend: backend)
        #expect(overridden.pipeline?.nullClass == 9 && overridden.classNames.count == 9)
    }

    @Test func badClassLabelFilesAreRefused() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let named = try Self.classConditionalFolder(in: root, name: "named", labels: #"{"classes": ["a", "b"], "null_class": 1}"#)
        do {
            _ = try ExperimentModel.load(named.path, backend: CPUBackend())
            Issue.record("a null class that is a named class was accepted")
        } catch let error as TensorFileError {
            #expect(error.path.hasSuffix("belm.json") && error.problem.contains("null_class"))
        }
        let many = try Self.classConditionalFolder(in: root, name: "many", labels: #"{"classes": ["a","b","c","d","e","f","g","h","i","j","k"]}"#)
        #expect(throws: TensorFileError.self) { try ExperimentModel.load(many.path, backend: CPUBackend()) }
        #expect(throws: ModelInputError.self) {
            try ExperimentModel.load(Self.fixtures.appendingPathComponent("unet2d/cifar10").path, nullClass: 0, backend: CPUBackend())
        }
    }

    @Test func builtinShapesUNetResolvesThroughTheLocator() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try Self.classConditionalFolder(in: root, name: "shapes-unet")
        let locator = BuiltinModelLocator(searchRoots: [root.appendingPathComponent("elsewhere"), root])
        let model = try ExperimentModel.load("builtin:shapes-unet", locator: locator, backend: CPUBackend())
        #expect(model.name == "builtin:shapes-unet" && model.classNames.first == "a" && model.pipeline?.nullClass == 9)
        do {
            _ = try ExperimentModel.load("builtin:shapes-unet", locator: BuiltinModelLocator(searchRoots: [root.appendingPathComponent("elsewhere")]),
                                         backend: CPUBackend())
            Issue.record("a missing builtin folder was accepted")
        } catch let error as ModelInputError {
            #expect(error.input == "builtin:shapes-unet" && error.problem.contains("train_shapes_unet.py"))
        }
    }

    /// Stable Diffusion: encode with the VAE, invert, reconstruct, decode. Exact on the latents (mse) for BELM,
    /// not for DDIM; mse_pixel adds the VAE's round trip.
    @Test(arguments: ["cpu", "vulkan"])
    func stableDiffusionReconstruction(_ backendName: String) throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = try Self.backend(backendName)
        let model = try ExperimentModel.load(try Self.stableDiffusionFolder(in: root).path, backend: backend)
        #expect(model.isLatent && model.takesPrompts && model.sampleShape == [4, 16, 16] && model.imageShape == [3, 128, 128])
        let settings = RunSettings(samplers: [.ddim, .belm], steps: [3], count: 1, batchSize: 1)
        let output = try ReconstructionExperiment(settings: settings, images: Self.images(1, [3, 128, 128]), condition: .prompt("a red circle"))
            .run(model, backend: backend)
        #expect(Self.value(output.records, "belm", "mse") < 1e-8)
        #expect(Self.value(output.records, "ddim", "mse") > 1e-4)
        #expect(Self.value(output.records, "belm", "mse_pixel") > 0)
        #expect(output.inverted[0].samples.shape == [1, 4, 16, 16] && output.reconstructions[0].samples.shape == [1, 3, 128, 128])
        #expect(output.reconstructions[0].samples.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    @Test func stableDiffusionEditingAndSampling() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let backend = try VulkanBackend(validation: true)
        let model = try ExperimentModel.load(try Self.stableDiffusionFolder(in: root).path, backend: backend)
        let settings = RunSettings(samplers: [.belm], steps: [4], count: 1, batchSize: 1)
        let edit = try EditingExperiment(settings: settings, source: .prompt("A dog"), target: .prompt("A Dalmatian"), freezeStep: 1,
                                         guidance: 2, images: Self.images(1, [3, 128, 128]), negativePrompt: "blurry").run(model, backend: backend)
        #expect(edit.edits[0].samples.shape == [1, 3, 128, 128])
        let sampled = try SamplingExperiment(settings: settings, prompts: ["a cat"], guidance: 3).run(model, backend: backend)
        #expect(sampled.runs[0].samples.shape == [1, 3, 128, 128])
        #expect(throws: ExperimentError.self) { try model.conditioning([.label(0)]) }
        // A prompt past 77 tokens is cut (with a warning on stderr), not refused.
        let long = try model.conditioning([.prompt(Array(repeating: "a red circle", count: 40).joined(separator: " "))])
        guard case .text(let states) = long else { Issue.record("a prompt gave \(long)"); return }
        #expect(states.shape == [1, 77, 8])
        backend.synchronize()
        #expect(backend.validationMessages.isEmpty)
    }

    @Test func brokenStableDiffusionFoldersAreRefused() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = try Self.stableDiffusionFolder(in: root)
        // The CLIP fixture's text encoder is 32 wide and has a 1000-token vocabulary: not this pipeline's.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("text_encoder"))
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("clip/text_encoder"), to: folder.appendingPathComponent("text_encoder"))
        #expect(throws: TensorFileError.self) { try ExperimentModel.load(folder.path, backend: CPUBackend()) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("text_encoder"))
        do {
            _ = try ExperimentModel.load(folder.path, backend: CPUBackend())
            Issue.record("a pipeline without text_encoder/ was accepted")
        } catch let error as TensorFileError {
            #expect(error.path.hasSuffix("text_encoder") && error.problem.contains("missing"))
        }
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("sd/sd15-text_encoder"), to: folder.appendingPathComponent("text_encoder"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("vae"))
        do {
            _ = try ExperimentModel.load(folder.path, backend: CPUBackend())
            Issue.record("a pipeline without vae/ was accepted")
        } catch let error as TensorFileError {
            #expect(error.path.hasSuffix("vae") && error.problem.contains("model_index.json"))
        }
    }

    @Test func inputImagesAreCroppedResizedAndChecked() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let wide = PlanarImage(channels: 1, height: 20, width: 40, values: (0..<800).map { Float($0 % 40) / 20 - 1 })
        try PNGCodec.write(wide, to: root.appendingPathComponent("a.png"))
        try Data("not an image".utf8).write(to: root.appendingPathComponent("notes.txt"))
        let loaded = try InputImages.load([root.path], channels: 3, side: 10)
        #expect(loaded.shape == [1, 3, 10, 10])
        // The centre 20×20 square of a horizontal ramp from -1 to about 1: its columns 10..<30, averaged in pairs.
        #expect(abs(loaded.scalars[0] - (Float(10.5) / 20 - 1)) < 0.01)
        #expect(throws: ExperimentError.self) { try InputImages.load([root.appendingPathComponent("notes.txt").path], channels: 3, side: 10) }
        #expect(throws: InvalidSetting.self) { try InputImages.load([root.appendingPathComponent("missing.png").path], channels: 3, side: 10) }
    }
}
