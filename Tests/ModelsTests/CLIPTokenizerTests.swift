import Foundation
import Testing
import Tensors
@testable import Models

@Suite struct CLIPTokenizerTests {
    struct Case: Decodable {
        let prompt: String
        let ids: [Int]
        let untruncated_length: Int
    }

    struct Expected: Decodable {
        let cases: [Case]
        let pad_bang_cases: [Case]
    }

    static let expected: Expected = {
        let data = try! Data(contentsOf: Fixture.clip.appendingPathComponent("tokenizer_expected.json"))
        return try! JSONDecoder().decode(Expected.self, from: data)
    }()

    @Test func matchesTransformersOnEveryPrompt() throws {
        let tokenizer = try CLIPTokenizer.load(modelFolder: Fixture.clip)
        #expect(tokenizer.maxLength == 77)
        #expect(tokenizer.startID == 49406 && tokenizer.endID == 49407 && tokenizer.padID == 49407)
        #expect(Self.expected.cases.count > 20)
        for expected in Self.expected.cases {
            let encoding = tokenizer.encode(expected.prompt)
            #expect(encoding.ids == expected.ids, "prompt \(expected.prompt.debugDescription)")
            #expect(encoding.untruncatedCount == expected.untruncated_length, "prompt \(expected.prompt.debugDescription)")
        }
    }

    @Test func overLongPromptsKeepTheEndToken() throws {
        let tokenizer = try CLIPTokenizer.load(modelFolder: Fixture.clip)
        let encoding = tokenizer.encode(String(repeating: "a ", count: 80))
        #expect(encoding.isTruncated)
        #expect(encoding.ids.count == 77)
        #expect(encoding.ids.first == 49406 && encoding.ids.last == 49407)
        #expect(encoding.ids[1..<76].allSatisfy { $0 == 320 }) // "a</w>"
        #expect(!tokenizer.encode("A Dog").isTruncated)
    }

    /// SD2's tokenizer pads with "!" (id 0): the padding and the special tokens follow the config.
    @Test func padTokenFollowsTheConfig() throws {
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = Fixture.clip.appendingPathComponent("tokenizer")
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data(#"{"model_max_length": 77, "pad_token": "!", "bos_token": {"content": "<|startoftext|>"}}"#.utf8)
            .write(to: folder.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try CLIPTokenizer.load(folder: folder)
        #expect(tokenizer.padID == 0)
        for expected in Self.expected.pad_bang_cases {
            #expect(tokenizer.encode(expected.prompt).ids == expected.ids, "prompt \(expected.prompt.debugDescription)")
        }
    }

    @Test func mismatchedFilesNameTheFileAndTheToken() throws {
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"{"a": 0, "b": 1, "<|startoftext|>": 2, "<|endoftext|>": 3}"#.utf8).write(to: folder.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\na b\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        let error = try #require(throws: TensorFileError.self) { try CLIPTokenizer.load(folder: folder) }
        #expect(error.path.hasSuffix("merges.txt"))
        #expect(error.problem.contains("'ab'"))

        try Data(#"{"pad_token": "<pad>"}"#.utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        try Data("#version: 0.2\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        let padError = try #require(throws: TensorFileError.self) { try CLIPTokenizer.load(folder: folder) }
        #expect(padError.problem.contains("pad_token") && padError.problem.contains("<pad>"))

        let missing = try #require(throws: TensorFileError.self) { try CLIPTokenizer.load(modelFolder: folder.appendingPathComponent("nothing")) }
        #expect(missing.problem.contains("tokenizer/vocab.json"))
    }

    @Test func byteLevelAlphabetIsAPermutationOfPrintableCharacters() {
        let characters = ByteLevelAlphabet.characters
        #expect(Set(characters).count == 256)
        #expect(characters[Int(UInt8(ascii: "a"))] == "a")
        #expect(characters[0] == "\u{100}" && characters[32] == "\u{120}") // "Ġ" for the space byte, as GPT-2
    }
}
