import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models
import VulkanCompute

/// SDXL's text side against diffusers' `StableDiffusionXLPipeline.encode_prompt` on the tiny folder of
/// Fixtures/generate_sdxl.py: both tokenizers' ids (tokenizer_2 pads with "!"), the penultimate hidden states of
/// both encoders concatenated, and text_encoder_2's projected pooled output at the end token.
@Suite struct SDXLPromptEncoderGoldenTests {
    static let folder = FixtureFiles.url("sdxl/pipeline")

    struct TextCase: Decodable {
        let prompts: [String]
        let tokenizer_ids: [[Int]]
        let tokenizer_2_ids: [[Int]]
    }

    static func load(on backend: any Backend, forceZeros: Bool = true) throws -> SDXLPromptEncoder {
        try SDXLPromptEncoder.load(modelFolder: folder, forceZerosForEmptyPrompt: forceZeros,
                                   microConditioning: .image(height: 16, width: 16), backend: backend)
    }

    @Test func tokenizersGiveTransformersIDs() throws {
        let expected = try JSONDecoder().decode(TextCase.self, from: Data(contentsOf: FixtureFiles.url("sdxl/text.json")))
        let encoder = try Self.load(on: CPUBackend())
        #expect(expected.prompts.map { encoder.tokenizers.first.encode($0).ids } == expected.tokenizer_ids)
        #expect(expected.prompts.map { encoder.tokenizers.second.encode($0).ids } == expected.tokenizer_2_ids)
        #expect(encoder.tokenizers.second.padID == 0 && encoder.tokenizers.first.padID == encoder.tokenizers.first.endID)
    }

    @Test(arguments: ["cpu", "vulkan"])
    func embeddingsMatchDiffusers(_ backendName: String) throws {
        let backend: any Backend = backendName == "vulkan" ? try VulkanBackend(validation: true) : CPUBackend()
        let expected = try JSONDecoder().decode(TextCase.self, from: Data(contentsOf: FixtureFiles.url("sdxl/text.json")))
        let golden = try SafetensorsFile(contentsOf: FixtureFiles.url("sdxl/text.expected.safetensors"))
        let encoding = try Self.load(on: backend).encode(expected.prompts)
        let states = try golden.floatTensor("prompt_embeds"), pooled = try golden.floatTensor("pooled_prompt_embeds")
        #expect(encoding.hiddenStates.shape == states.shape && encoding.pooled.shape == pooled.shape)
        #expect(relativeMaxError(encoding.hiddenStates.values(), states.scalars) < 1e-5)
        #expect(relativeMaxError(encoding.pooled.values(), pooled.scalars) < 1e-5)
        if let vulkan = backend as? VulkanBackend {
            vulkan.synchronize()
            #expect(vulkan.validationMessages.isEmpty)
        }
    }

    /// The unconditional branch is zeros under force_zeros_for_empty_prompt and the empty prompt otherwise; the
    /// time ids are the micro-conditioning's, repeated per sample.
    @Test func unconditionalBranchAndTimeIDs() throws {
        let backend = CPUBackend()
        let golden = try SafetensorsFile(contentsOf: FixtureFiles.url("sdxl/text.expected.safetensors"))
        let states = try golden.floatTensor("prompt_embeds").scalars, pooled = try golden.floatTensor("pooled_prompt_embeds").scalars
        let rowStates = 77 * 20, rowPooled = 6
        // Golden rows: 0 "a red circle", 1 "".
        guard case let .textAndAdded(zeroed, zeroPooled, ids) = try Self.load(on: backend).conditioning([nil, "a red circle"]).conditioning else {
            Issue.record("SDXL conditioning is not textAndAdded"); return
        }
        #expect(ids == [16, 16, 0, 0, 16, 16, 16, 16, 0, 0, 16, 16])
        let z = zeroed.values(), p = zeroPooled.values()
        #expect(z[..<rowStates].allSatisfy { $0 == 0 } && p[..<rowPooled].allSatisfy { $0 == 0 })
        #expect(relativeMaxError(Array(z[rowStates...]), Array(states[..<rowStates])) < 1e-5)
        #expect(relativeMaxError(Array(p[rowPooled...]), Array(pooled[..<rowPooled])) < 1e-5)
        guard case let .textAndAdded(empty, emptyPooled, _) = try Self.load(on: backend, forceZeros: false).conditioning([nil]).conditioning else {
            Issue.record("SDXL conditioning is not textAndAdded"); return
        }
        #expect(relativeMaxError(empty.values(), Array(states[rowStates..<(2 * rowStates)])) < 1e-5)
        #expect(relativeMaxError(emptyPooled.values(), Array(pooled[rowPooled..<(2 * rowPooled)])) < 1e-5)
    }

    /// transformers pools at the first end token (its pad may be the same id), or the largest id for eos id 2.
    @Test func poolingPositionFollowsTransformers() {
        #expect(CLIPTextModel.poolingPosition([5, 7, 9, 9, 9], eosTokenID: 9) == 2)
        #expect(CLIPTextModel.poolingPosition([5, 7, 0, 0], eosTokenID: 9) == 0)
        #expect(CLIPTextModel.poolingPosition([5, 49407, 3, 49407], eosTokenID: 2) == 1)
    }
}
