import Compute
import Foundation
import Testing
import Tensors
@testable import Models

@Suite struct CLIPTextModelTests {
    let io = try! SafetensorsFile(contentsOf: Fixture.clip.appendingPathComponent("text_encoder_io.safetensors"))

    /// Largest |actual − expected| relative to the largest |expected|.
    static func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = expected.map(abs).max()!
        return zip(actual, expected).map { abs($0 - $1) }.max()! / scale
    }

    @Test func matchesTransformersOnCPU() throws {
        let model = try CLIPTextModel.load(modelFolder: Fixture.clip, backend: CPUBackend())
        #expect(model.config.activation == .quickGelu && model.config.maxPositions == 77)
        let ids = try io.intTensor("input_ids")
        let expected = try io.floatTensor("last_hidden_state")
        let output = try model.encode(inputIDs: ids)
        #expect(output.shape == expected.shape)
        let error = Self.relativeError(output.values(), expected.scalars)
        #expect(error < 1e-4, "max abs error \(error) of the output's scale")
    }

    /// hidden_act "gelu" runs the exact GELU: the same weights give transformers' gelu output.
    @Test func honoursGeluActivation() throws {
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Fixture.clip.appendingPathComponent("text_encoder")
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        let config = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(config.contains("\"hidden_act\": \"quick_gelu\""))
        try config.replacingOccurrences(of: "\"quick_gelu\"", with: "\"gelu\"")
            .write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let model = try CLIPTextModel.load(folder: folder, backend: CPUBackend())
        #expect(model.config.activation == .gelu)
        let output = try model.encode(inputIDs: try io.intTensor("input_ids"))
        let error = Self.relativeError(output.values(), try io.floatTensor("last_hidden_state_gelu").scalars)
        #expect(error < 1e-4, "max abs error \(error) of the output's scale")
    }

    /// SD1.5's own files name every tensor under `text_model.`; the same weights under that prefix load the same.
    @Test func readsPrefixedCheckpoints() throws {
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Fixture.clip.appendingPathComponent("text_encoder")
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"), to: folder.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile(contentsOf: source.appendingPathComponent("model.safetensors"))
        var prefixed: [String: HostTensor] = [:]
        for name in weights.names { prefixed["text_model." + name] = try weights.floatTensor(name) }
        try SafetensorsWriter.write(floats: prefixed, to: folder.appendingPathComponent("model.safetensors"))
        let model = try CLIPTextModel.load(folder: folder, backend: CPUBackend())
        let ids = try io.intTensor("input_ids")
        let output = try model.encode(inputIDs: HostIntTensor(shape: [1, 77], scalars: Array(ids.scalars.prefix(77))))
        let expected = try io.floatTensor("last_hidden_state")
        #expect(Self.relativeError(output.values(), Array(expected.scalars.prefix(77 * 32))) < 1e-4)
    }

    @Test func refusesUnsupportedConfigsAndMismatchedWeights() throws {
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Fixture.clip.appendingPathComponent("text_encoder")
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"), to: folder.appendingPathComponent("model.safetensors"))
        let configURL = folder.appendingPathComponent("config.json")
        let config = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)

        try config.replacingOccurrences(of: "\"quick_gelu\"", with: "\"relu\"").write(to: configURL, atomically: true, encoding: .utf8)
        let activation = try #require(throws: TensorFileError.self) { try CLIPTextModel.load(folder: folder, backend: CPUBackend()) }
        #expect(activation.path.hasSuffix("config.json") && activation.problem.contains("hidden_act"))

        try config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 48").write(to: configURL, atomically: true, encoding: .utf8)
        let shape = try #require(throws: TensorFileError.self) { try CLIPTextModel.load(folder: folder, backend: CPUBackend()) }
        #expect(shape.path.hasSuffix("model.safetensors") && shape.problem.contains("token_embedding"))

        try config.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 3").write(to: configURL, atomically: true, encoding: .utf8)
        let missing = try #require(throws: TensorFileError.self) { try CLIPTextModel.load(folder: folder, backend: CPUBackend()) }
        #expect(missing.problem.contains("encoder.layers.2."))
    }

    @Test func refusesIdsOutsideTheVocabularyAndOverlongSequences() throws {
        let model = try CLIPTextModel.load(modelFolder: Fixture.clip, backend: CPUBackend())
        #expect(throws: CLIPTextModel.InputError.self) {
            try model.encode(inputIDs: HostIntTensor(shape: [1, 2], scalars: [0, 1000]))
        }
        #expect(throws: CLIPTextModel.InputError.self) {
            try model.encode(inputIDs: HostIntTensor(shape: [1, 78], scalars: [Int64](repeating: 1, count: 78)))
        }
    }
}
