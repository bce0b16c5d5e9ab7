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
        let actual = try SafetensorsFile(contentsOf: output).floatTensor("sample")
        let expected = try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("classcond.expected.safetensors")).floatTensor("sample")
        #expect(actual.shape == expected.shape)
        let scale = expected.scalars.map { abs($0) }.max()!
        let error = zip(actual.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(error < 1e-4 * scale)
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
