import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models
import VulkanCompute

/// diffusers' output for a tiny random-weight UNet2DConditionModel laid out as SDXL base 1.0's unet/
/// (Fixtures/generate_sdxl.py): no attention at the first level, per-level transformer depths and the mid block's,
/// linear projections, and the text_time added embedding of a pooled text embedding and six time ids per sample
/// (two different sets in one batch), on the CPU reference backend and on Vulkan.
@Suite struct SDXLUNetGoldenTests {
    static let folder = "sdxl/pipeline"

    func run(on backend: any Backend) throws -> (actual: [Float], expected: [Float]) {
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url(Self.folder)), backend: backend)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("sdxl/unet.inputs.safetensors"))
        let conditioning = Conditioning.textAndAdded(
            states: backend.tensor(try inputs.floatTensor("encoder_hidden_states")),
            pooled: backend.tensor(try inputs.floatTensor("text_embeds")),
            timeIDs: try inputs.floatTensor("time_ids").scalars.map(Double.init))
        let output = try model.forward(backend.tensor(try inputs.floatTensor("sample")),
                                       timesteps: try inputs.floatTensor("timestep").scalars.map(Double.init),
                                       conditioning: conditioning)
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("sdxl/unet.expected.safetensors")).floatTensor("sample")
        #expect(output.shape == expected.shape)
        return (output.values(), expected.scalars)
    }

    @Test func matchesDiffusersOnTheCPU() throws {
        let (actual, expected) = try run(on: CPUBackend())
        #expect(relativeMaxError(actual, expected) < 1e-4)
    }

    @Test func matchesDiffusersOnVulkan() throws {
        let vulkan = try VulkanBackend(validation: true)
        let (actual, expected) = try run(on: vulkan)
        #expect(relativeMaxError(actual, expected) < 1e-4)
        vulkan.synchronize()
        #expect(vulkan.validationMessages.isEmpty)
    }

    @Test func configurationReadsTheSDXLFields() throws {
        let config = try UNet2DConditionConfiguration(DiffusersConfig(contentsOf: FixtureFiles.url("\(Self.folder)/unet/config.json")))
        #expect(config.textTimeEmbedding?.timeIDChannels == 4 && config.textTimeEmbedding?.inputChannels == 30)
        #expect(config.textTimeEmbedding?.timeIDCount(pooledWidth: 6) == 6)
        #expect(config.transformerLayersPerBlock == [1, 1, 2])
        #expect(config.downBlockCrossAttention == [false, true, true] && config.upBlockCrossAttention == [true, true, false])
        #expect(config.useLinearProjection)
    }

    /// The added conditions are required, checked against projection_class_embeddings_input_dim, and refused by a
    /// UNet without an added embedding.
    @Test func addedConditionsAreRequiredAndChecked() throws {
        let backend = CPUBackend()
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url(Self.folder)), backend: backend)
        let x = backend.zeros([1, 4, 8, 8]), states = backend.zeros([1, 7, 20])
        #expect(throws: ModelInputError.self) { try model.forward(x, timesteps: [1], conditioning: .text(states)) }
        let sixIDs = [Double](repeating: 64, count: 6)
        #expect(throws: ModelInputError.self) {
            try model.forward(x, timesteps: [1], conditioning: .textAndAdded(states: states, pooled: backend.zeros([1, 5]), timeIDs: sixIDs))
        }
        #expect(throws: ModelInputError.self) {
            try model.forward(x, timesteps: [1], conditioning: .textAndAdded(states: states, pooled: backend.zeros([1, 6]), timeIDs: [64, 64, 0, 0, 64]))
        }
        let output = try model.forward(x, timesteps: [1], conditioning: .textAndAdded(states: states, pooled: backend.zeros([1, 6]), timeIDs: sixIDs))
        #expect(output.shape == [1, 4, 8, 8])
        let sd15 = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: backend)
        #expect(throws: ModelInputError.self) {
            try sd15.forward(backend.zeros([1, 4, 16, 16]), timesteps: [1],
                             conditioning: .textAndAdded(states: backend.zeros([1, 7, 8]), pooled: backend.zeros([1, 6]), timeIDs: sixIDs))
        }
    }

    /// Added-embedding fields that cannot work are refused naming unet/config.json and the field.
    @Test func badAddedEmbeddingFieldsAreRefused() throws {
        let url = FixtureFiles.url("\(Self.folder)/unet/config.json")
        let cases: [(change: [String: Any], field: String)] = [
            (["addition_embed_type": "text"], "addition_embed_type"),
            (["addition_time_embed_dim": NSNull()], "addition_time_embed_dim"),
            (["projection_class_embeddings_input_dim": 4], "projection_class_embeddings_input_dim"),
            (["addition_embed_type": NSNull()], "addition_time_embed_dim"),
        ]
        for (change, field) in cases {
            var fields = try DiffusersConfig(contentsOf: url).fields
            fields.merge(change) { $1 }
            do {
                _ = try UNet2DConditionConfiguration(DiffusersConfig(fields: fields, url: url))
                Issue.record("\(change) was accepted")
            } catch let error as TensorFileError {
                #expect(error.path.hasSuffix("unet/config.json") && error.problem.contains("\"\(field)\""), "\(error)")
            }
        }
    }
}
