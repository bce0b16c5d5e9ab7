import Foundation
import Testing
import Tensors
@testable import BELMCommands

/// `belm forward` end to end on the UNet golden fixtures (Tests/ModelsTests/Fixtures).
@Suite struct ForwardCommandTests {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Fixtures/unet2d").standardizedFileURL

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("belm-forward-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func forward(_ arguments: [String]) throws {
        var command = try BELM.parseAsRoot(["forward"] + arguments)
        try command.run()
    }

    @Test func classConditionalPipelineMatchesDiffusers() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.safetensors")
        try forward(["--model", fixtures.appendingPathComponent("classcond").path, "--component", "unet",
                     "--input", fixtures.appendingPathComponent("classcond.inputs.safetensors").path,
                     "--output", output.path, "--backend", "cpu"])
        try expectSample(in: output, matches: fixtures.appendingPathComponent("classcond.expected.safetensors"))
    }

    /// The `sample` tensor of two files: same shape, largest difference within 1e-4 of the expected one's scale.
    func expectSample(in output: URL, matches expectedFile: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try SafetensorsFile(contentsOf: output).floatTensor("sample")
        let expected = try SafetensorsFile(contentsOf: expectedFile).floatTensor("sample")
        #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
        let scale = expected.scalars.map { abs($0) }.max()!
        #expect(zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-4 * scale, sourceLocation: sourceLocation)
    }

    /// A scalar float timestep is shared by the batch: the output equals the per-sample run with it repeated.
    @Test func scalarFloatTimestep() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("cifar10.inputs.safetensors"))
        let sample = try inputs.floatTensor("sample")
        let scalar = folder.appendingPathComponent("scalar.safetensors"), repeated = folder.appendingPathComponent("repeated.safetensors")
        try SafetensorsWriter.write(floats: ["sample": sample, "timestep": HostTensor(shape: [], scalars: [250])], to: scalar)
        try SafetensorsWriter.write(floats: ["sample": sample], ints: ["timestep": HostIntTensor(shape: [3], scalars: [250, 250, 250])], to: repeated)
        let model = fixtures.appendingPathComponent("cifar10").path
        try forward(["--model", model, "--input", scalar.path, "--output", folder.appendingPathComponent("a.safetensors").path])
        try forward(["--model", model, "--input", repeated.path, "--output", folder.appendingPathComponent("b.safetensors").path])
        let a = try SafetensorsFile(contentsOf: folder.appendingPathComponent("a.safetensors")).floatTensor("sample")
        let b = try SafetensorsFile(contentsOf: folder.appendingPathComponent("b.safetensors")).floatTensor("sample")
        #expect(a == b)
    }

    /// `--vae-tile 4` gives diffusers' enable_tiling() decode of the tiny SD1.5-like VAE at that tile size.
    @Test func tiledVAEDecodeMatchesDiffusers() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sd = fixtures.deletingLastPathComponent().appendingPathComponent("sd")
        let output = folder.appendingPathComponent("out.safetensors")
        try forward(["--model", sd.appendingPathComponent("sd15").path, "--component", "vae-decoder", "--vae-tile", "4",
                     "--input", sd.appendingPathComponent("vae-tiled-decoder.inputs.safetensors").path,
                     "--output", output.path, "--backend", "cpu"])
        try expectSample(in: output, matches: sd.appendingPathComponent("vae-tiled-decoder.expected.safetensors"))
        #expect(throws: (any Error).self) { try BELM.parseAsRoot(["forward", "--model", "m", "--input", "i", "--output", "o", "--vae-tile", "6"]) }
    }

    @Test func badInputNamesTheFileAndTensorAndWritesNothing() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.safetensors")
        let input = fixtures.appendingPathComponent("classcond.inputs.safetensors")
        do {
            try forward(["--model", fixtures.appendingPathComponent("cifar10").path, "--input", input.path, "--output", output.path])
            Issue.record("class labels were accepted by an unconditional model")
        } catch {
            #expect("\(error)".contains(input.path))
            #expect("\(error)".contains("class_labels"))
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}

extension ForwardCommandTests {
    @Test func textConditionedUNetInAPipeline() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sd = fixtures.deletingLastPathComponent().appendingPathComponent("sd")
        let output = folder.appendingPathComponent("out.safetensors")
        try forward(["--model", sd.appendingPathComponent("sd15").path, "--component", "unet",
                     "--input", sd.appendingPathComponent("sd15-unet.inputs.safetensors").path, "--output", output.path])
        let actual = try SafetensorsFile(contentsOf: output).floatTensor("sample")
        let expected = try SafetensorsFile(contentsOf: sd.appendingPathComponent("sd15-unet.expected.safetensors")).floatTensor("sample")
        let scale = expected.scalars.map { abs($0) }.max()!
        #expect(zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-4 * scale)
    }
}

extension ForwardCommandTests {
    @Test(arguments: [("vae-encoder", "latent_mean"), ("vae-decoder", "sample")])
    func vaeComponents(component: String, outputName: String) throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sd = fixtures.deletingLastPathComponent().appendingPathComponent("sd")
        let output = folder.appendingPathComponent("out.safetensors")
        try forward(["--model", sd.appendingPathComponent("sd15").path, "--component", component,
                     "--input", sd.appendingPathComponent("\(component).inputs.safetensors").path, "--output", output.path])
        let actual = try SafetensorsFile(contentsOf: output).floatTensor(outputName)
        let expected = try SafetensorsFile(contentsOf: sd.appendingPathComponent("\(component).expected.safetensors")).floatTensor(outputName)
        #expect(actual.shape == expected.shape)
        let scale = expected.scalars.map { abs($0) }.max()!
        #expect(zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-4 * scale)
    }
}

extension ForwardCommandTests {
    @Test func textEncoderComponent() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = fixtures.deletingLastPathComponent().appendingPathComponent("clip")
        let io = clip.appendingPathComponent("text_encoder_io.safetensors")
        let output = folder.appendingPathComponent("out.safetensors")
        try forward(["--model", clip.path, "--component", "text-encoder", "--input", io.path, "--output", output.path])
        let actual = try SafetensorsFile(contentsOf: output).floatTensor("last_hidden_state")
        let expected = try SafetensorsFile(contentsOf: io).floatTensor("last_hidden_state")
        #expect(actual.shape == expected.shape)
        let scale = expected.scalars.map { abs($0) }.max()!
        #expect(zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()! < 1e-4 * scale)
    }
}
