import Compute
import Foundation
import Testing
import Tensors
@testable import Models

@Suite struct PromptEncoderTests {
    /// The fixture's text encoder has 1000 token rows while its tokenizer uses the real ids up to 49407.
    @Test func refusesATokenizerWhoseIdsTheTextEncoderLacks() throws {
        let error = try #require(throws: TensorFileError.self) {
            try PromptEncoder.load(modelFolder: Fixture.clip, backend: CPUBackend())
        }
        #expect(error.path.hasSuffix("text_encoder/config.json") && error.problem.contains("vocab_size 1000"))
    }

    /// A tokenizer cut to the text encoder's 1000 ids: a batch of prompts gives, row by row, what the
    /// text encoder gives for each prompt's ids alone.
    @Test func encodesABatchOfPromptsRowByRow() throws {
        let source = Fixture.clip.appendingPathComponent("tokenizer")
        let full = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("vocab.json"))) as! [String: Int]
        var vocabulary = full.filter { $0.value < 998 }
        vocabulary["<|startoftext|>"] = 998
        vocabulary["<|endoftext|>"] = 999
        let mergeLines = try String(contentsOf: source.appendingPathComponent("merges.txt"), encoding: .utf8)
            .split(separator: "\n").dropFirst().prefix(998 - 512)
        let merges = mergeLines.map { line -> (String, String) in
            let parts = line.split(separator: " ")
            return (String(parts[0]), String(parts[1]))
        }
        let tokenizer = try CLIPTokenizer(vocabulary: vocabulary, merges: merges)
        let textEncoder = try CLIPTextModel.load(modelFolder: Fixture.clip, backend: CPUBackend())
        let encoder = try PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder, folder: Fixture.clip)

        let prompts = ["a photo of a dog", "", String(repeating: "the cat ", count: 50)]
        let encoding = try encoder.encode(prompts)
        #expect(encoding.hiddenStates.shape == [3, 77, 32])
        #expect(encoding.truncatedPrompts == [2])
        let batch = encoding.hiddenStates.values()
        for (index, prompt) in prompts.enumerated() {
            let ids = HostIntTensor(shape: [1, 77], scalars: tokenizer.encode(prompt).ids.map(Int64.init))
            let alone = try textEncoder.encode(inputIDs: ids).values()
            let row = Array(batch[(index * 77 * 32)..<((index + 1) * 77 * 32)])
            #expect(zip(row, alone).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) }, "prompt \(index)")
        }
    }
}
