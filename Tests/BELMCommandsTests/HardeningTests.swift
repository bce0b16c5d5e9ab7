import BELMTestSupport
import Compute
import Foundation
import Models
import Tensors
import Testing
@testable import BELMCommands
@testable import Experiments

extension BELMProcess {
    /// Failed the way a user can act on: an exit status in 1…125 (not a trap) and a message saying why.
    func expectRefusal(containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(refused, "status \(status), trapped \(trapped): \(errors)", sourceLocation: sourceLocation)
        #expect(errors.contains(text), "\(errors)", sourceLocation: sourceLocation)
    }
}

/// Issue 11's hardening of the experiment commands: what used to crash, write NaN, or leave half an output.
@Suite struct HardeningTests {
    static let fixtures = DiffusersCommandTests.fixtures

    static func scratchFolder(_ name: String) throws -> URL {
        let url = scratchURL(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    // MARK: sampler-bench on diffusers models

    /// It used to read the reference mixture's images and trap on every diffusers model.
    @Test func samplerBenchRunsADiffusersModel() throws {
        let folder = try Self.scratchFolder("bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        let unet = Self.fixtures.appendingPathComponent("unet2d/cifar10").path
        let run = try BELMProcess.run(["sampler-bench", "--model", unet, "--batch-sizes", "1", "--steps", "2", "--backend", "cpu"], in: folder)
        #expect(run.status == 0 && !run.trapped, "\(run.errors)")
        #expect(run.output.contains("diffusers UNet on samples of 3×16×16"))
        #expect(["ddim", "edict", "bdia", "belm"].allSatisfy { run.output.contains("  \($0)") }, "\(run.output)")
        // A class-conditional UNet without a null class cannot say its unconditional branch: a clear refusal.
        let classes = Self.fixtures.appendingPathComponent("unet2d/classcond").path
        let refused = try BELMProcess.run(["sampler-bench", "--model", classes, "--batch-sizes", "1", "--steps", "2", "--backend", "cpu"], in: folder)
        refused.expectRefusal(containing: "null class")
        #expect(!refused.output.contains("batch"), "the table started before the refusal: \(refused.output)")
    }

    // MARK: settings refused the same way everywhere

    @Test func nonFiniteAndOverflowingSettingsAreRefused() throws {
        let root = try Self.scratchFolder("nan")
        defer { try? FileManager.default.removeItem(at: root) }
        let nanNoise = root.appendingPathComponent("nan.safetensors")
        var values = [Float](repeating: 0.5, count: 3 * 32 * 32)
        values[7] = .nan
        try SafetensorsWriter.write(floats: ["sample": HostTensor(shape: [1, 3, 32, 32], scalars: values)], to: nanNoise)
        let common = ["--steps", "3", "--count", "1", "--backend", "cpu"]
        expectRefusals([
            (["sample", "--classes", "0", "--guidance", "nan"], "--guidance must lie in [0, 100], got nan"),
            (["sample", "--classes", "0", "--guidance", "inf"], "--guidance must lie in [0, 100], got inf"),
            (["sample", "--classes", "0", "--guidance", "1e308"], "--guidance must lie in [0, 100]"),
            (["sample", "--classes", "0", "--guidance", "-2"], "--guidance must lie in [0, 100], got -2"),
            (["edit", "--source", "0", "--target", "1", "--freeze-step", "1", "--guidance", "nan"], "--guidance must lie in [0, 100]"),
            (["sample", "--noise", nanNoise.path], "--noise holds nan"),
            (["sample", "--sampler", "bdia", "--bdia-gamma", "1e-30"], "--bdia-gamma must be 0 (plain DDIM) or lie in [0.1, 1], got 1e-30"),
            (["reconstruct", "--sampler", "bdia", "--bdia-gamma", "1e-30"], "--bdia-gamma must be 0"),
            (["reconstruct", "--sampler", "ddim", "--bdia-gamma", "nan"], "--bdia-gamma must be 0"),
            (["sample", "--edict-p", "1"], "--edict-p must lie in (0, 1)"),
            (["sample", "--order", "1"], "--order must be at least 2"),
        ], common: common)
    }

    @Test func forwardRefusesANonFiniteTimestep() throws {
        let root = try Self.scratchFolder("forward")
        defer { try? FileManager.default.removeItem(at: root) }
        let input = root.appendingPathComponent("in.safetensors"), output = root.appendingPathComponent("out.safetensors")
        try SafetensorsWriter.write(floats: ["sample": HostTensor(shape: [1, 3, 16, 16], scalars: [Float](repeating: 0.1, count: 768)),
                                             "timestep": HostTensor(shape: [1], scalars: [.nan])], to: input)
        let model = Self.fixtures.appendingPathComponent("unet2d/cifar10").path
        let run = try BELMProcess.run(["forward", "--model", model, "--input", input.path, "--output", output.path, "--backend", "cpu"], in: root)
        run.expectRefusal(containing: "tensor 'timestep' holds nan")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let folderInput = try BELMProcess.run(["forward", "--model", model, "--input", root.path, "--output", output.path, "--backend", "cpu"], in: root)
        folderInput.expectRefusal(containing: "is a directory; expected a .safetensors file")
    }

    /// A sampler that leaves float range stops the command with the experiment, sampler and step count, and
    /// writes nothing (it used to write NaN images and metrics and exit 0).
    @Test func aDivergedRunIsAnError() throws {
        let root = try Self.scratchFolder("diverged")
        defer { try? FileManager.default.removeItem(at: root) }
        let huge = root.appendingPathComponent("huge.safetensors")
        try SafetensorsWriter.write(floats: ["sample": HostTensor(shape: [1, 3, 32, 32], scalars: [Float](repeating: 3e38, count: 3 * 32 * 32))], to: huge)
        expectRefusals([(["sample", "--noise", huge.path, "--sampler", "ddim"], "sampling: ddim at 3 steps produced")],
                       common: ["--steps", "3", "--backend", "cpu"])
    }

    // MARK: outputs all or nothing; no duplicate runs

    @Test func aBadSaveTensorsPathWritesNothing() throws {
        let root = try Self.scratchFolder("save")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let common = ["--count", "1", "--backend", "cpu"]
        expectRefusals([
            (["sample", "--steps", "3", "--save-tensors", file.appendingPathComponent("x.safetensors").path], "plain-file is a file"),
            (["sample", "--steps", "3", "--save-tensors", root.path], "is a folder; give a file name"),
            (["interpolate", "--steps", "3", "--points", "2", "--save-tensors", file.appendingPathComponent("x.safetensors").path], "plain-file is a file"),
            (["sample", "--steps", "4,4"], "--steps lists 4 twice"),
            (["sample", "--sampler", "ddim,ddim"], "--sampler lists ddim twice"),
            (["reconstruct", "--steps", "3,3"], "--steps lists 3 twice"),
        ], common: common)
    }

    /// Should a file fail to be written after all checks, the others already written are removed with it.
    @Test func outputIsWrittenAllOrNothing() throws {
        let root = try Self.scratchFolder("commit")
        defer { try? FileManager.default.removeItem(at: root) }
        let blocker = root.appendingPathComponent("blocker")
        try Data("x".utf8).write(to: blocker)
        let out = root.appendingPathComponent("out/deeper")
        var output = ExperimentOutput(out.path)
        let images = HostTensor(shape: [1, 3, 4, 4], scalars: [Float](repeating: 0, count: 48))
        try output.addGrid(images, columns: 1, name: "a.png")
        output.addMetrics([])
        output.addTensors([SamplerRun(sampler: "ddim", steps: 3, samples: images)], to: blocker.appendingPathComponent("t.safetensors").path)
        #expect(throws: (any Error).self) { try output.commit() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["blocker"])
    }

    // MARK: --save-tensors on Stable Diffusion

    /// The final latents as `sample` and their decoding, unclamped, as `image` (it used to write the decoded
    /// image clamped to [-1, 1] as `sample`).
    @Test func saveTensorsKeepsStableDiffusionLatents() throws {
        let root = scratchURL("sd-save"), out = root.appendingPathComponent("out"), tensors = root.appendingPathComponent("t.safetensors")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try DiffusersCommandTests.stableDiffusionFolder(in: root).path
        var command = try BELM.parseAsRoot(["sample", "--model", model, "--prompt", "a red circle", "--count", "1", "--steps", "2",
                                            "--sampler", "ddim", "--backend", "cpu", "--quiet", "--out", out.path, "--save-tensors", tensors.path])
        try command.run()
        let file = try SafetensorsFile(contentsOf: tensors)
        #expect(Set(file.names) == ["sample", "image"])
        let latents = try file.floatTensor("sample"), image = try file.floatTensor("image")
        let loaded = try ExperimentModel.load(model, backend: CPUBackend())
        #expect(latents.shape == [1] + loaded.sampleShape && latents.shape[1] == 4)
        #expect(image.shape == [1] + loaded.imageShape)
        // The image is the VAE's decoding of the saved latents, not clamped.
        let decoded = try loaded.decodeUnclamped(CPUBackend().tensor(latents))
        #expect(zip(decoded.scalars, image.scalars).map { abs($0 - $1) }.max()! < 1e-5)
    }

    // MARK: reconstruct's outputs and inputs

    @Test func reconstructJSONWithoutOutWritesNoFolder() throws {
        let folder = try Self.scratchFolder("json")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try BELMProcess.run(["reconstruct", "--json", "--steps", "3", "--count", "1", "--sampler", "belm", "--backend", "cpu", "--quiet"], in: folder)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("\"experiment\": \"reconstruction\""))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
        let convergence = try BELMProcess.run(["convergence", "--json", "--steps", "3,4", "--count", "1", "--sampler", "ddim", "--backend", "cpu", "--quiet"], in: folder)
        #expect(convergence.status == 0 && convergence.output.contains("ode_error"), "\(convergence.errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
    }

    @Test func negativeCountsAndFoldersGivenAsFilesAreClearErrors() throws {
        let root = try Self.scratchFolder("inputs")
        defer { try? FileManager.default.removeItem(at: root) }
        let images = root.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: images.appendingPathComponent("x.png"), withIntermediateDirectories: true)
        try PNGCodec.write(PlanarImage(channels: 3, height: 32, width: 32, filledWith: 0), to: images.appendingPathComponent("a.png"))
        let common = ["--steps", "3", "--backend", "cpu"]
        expectRefusals([
            (["reconstruct", "--count", "-1"], "--count must be at least 1, got -1"),
            (["reconstruct", "--count=-1"], "--count must be at least 1, got -1"),
            (["sample", "--batch-size", "-2"], "--batch-size must be at least 1, got -2"),
            (["reconstruct", "--image", images.path], "--image names a folder holding \(images.path)/x.png, a folder named like an image; folders are not searched recursively"),
            (["sample", "--noise", root.path], "is a directory; expected a .safetensors file"),
            (["sample", "--schedule", root.path], "is a directory; expected a scheduler_config.json file"),
        ], common: common)
        expectRefusals([(["sample", "--steps", "-5"], "--steps must be at least 2, got -5")], common: ["--backend", "cpu"])
    }

    /// A setting refused while the command runs points to that command's help, not to the root's usage.
    @Test func aRefusedSettingPointsToItsCommandsHelp() throws {
        let folder = try Self.scratchFolder("help-pointer")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try BELMProcess.run(["reconstruct", "--count", "-1", "--backend", "cpu"], in: folder)
        run.expectRefusal(containing: "Error: --count must be at least 1, got -1\n  See 'belm reconstruct --help'")
        #expect(!run.errors.contains("belm <subcommand>"), "\(run.errors)")
    }
}
