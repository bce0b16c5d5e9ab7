import Foundation
import Testing
import Tensors
@testable import Models

/// Tokenizer folders that hold only tokenizer.json, as current transformers saves them: built here from the
/// fixture's vocab.json and merges.txt, they must give the same ids on every fixture prompt.
@Suite struct CLIPTokenizerJSONTests {
    static let source = Fixture.clip.appendingPathComponent("tokenizer")

    /// The fixture's tables as tokenizer.json's `model` (merges as "a b" strings or as [a, b] pairs), with
    /// CLIP's two special tokens in `added_tokens`; `edit` changes the object before it is written.
    func writeTokenizerJSON(to folder: URL, pairs: Bool, edit: (inout [String: Any]) -> Void = { _ in }) throws {
        let vocabulary = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.source.appendingPathComponent("vocab.json")))
        let lines = try String(contentsOf: Self.source.appendingPathComponent("merges.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#version") }
        let merges: [Any] = pairs ? lines.map { $0.split(separator: " ").map(String.init) } : lines.map(String.init)
        var object: [String: Any] = [
            "version": "1.0",
            "added_tokens": [["id": 49406, "content": "<|startoftext|>", "special": true],
                             ["id": 49407, "content": "<|endoftext|>", "special": true]],
            "model": ["type": "BPE", "dropout": NSNull(), "unk_token": "<|endoftext|>", "continuing_subword_prefix": "",
                      "end_of_word_suffix": "</w>", "fuse_unk": false, "vocab": vocabulary, "merges": merges] as [String: Any],
        ]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: folder.appendingPathComponent("tokenizer.json"))
    }

    func folder(withConfig: Bool) throws -> URL {
        let folder = try Fixture.temporaryDirectory()
        if withConfig {
            try FileManager.default.copyItem(at: Self.source.appendingPathComponent("tokenizer_config.json"),
                                             to: folder.appendingPathComponent("tokenizer_config.json"))
        }
        return folder
    }

    @Test(arguments: [false, true])
    func givesTheIDsOfVocabAndMerges(pairs: Bool) throws {
        let reference = try CLIPTokenizer.load(modelFolder: Fixture.clip)
        for withConfig in [true, false] {
            let folder = try folder(withConfig: withConfig)
            defer { try? FileManager.default.removeItem(at: folder) }
            try writeTokenizerJSON(to: folder, pairs: pairs)
            // A pipeline folder's tokenizer/ and the tokenizer folder itself are both found.
            let pipeline = try Fixture.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: pipeline) }
            try FileManager.default.copyItem(at: folder, to: pipeline.appendingPathComponent("tokenizer"))
            for tokenizer in [try CLIPTokenizer.load(folder: folder), try CLIPTokenizer.load(modelFolder: pipeline)] {
                #expect(tokenizer.maxLength == 77 && tokenizer.startID == 49406 && tokenizer.endID == 49407 && tokenizer.padID == 49407)
                #expect(CLIPTokenizerTests.expected.cases.count > 20)
                for expected in CLIPTokenizerTests.expected.cases {
                    #expect(tokenizer.encode(expected.prompt) == reference.encode(expected.prompt), "prompt \(expected.prompt.debugDescription)")
                    #expect(tokenizer.encode(expected.prompt).ids == expected.ids, "prompt \(expected.prompt.debugDescription)")
                }
            }
        }
    }

    /// Special tokens missing from model.vocab come from added_tokens, with their ids.
    @Test func specialTokensMayBeOnlyInAddedTokens() throws {
        let folder = try folder(withConfig: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try writeTokenizerJSON(to: folder, pairs: false) { object in
            var model = object["model"] as! [String: Any]
            var vocabulary = model["vocab"] as! [String: Any]
            vocabulary["<|startoftext|>"] = nil
            vocabulary["<|endoftext|>"] = nil
            model["vocab"] = vocabulary
            object["model"] = model
        }
        let tokenizer = try CLIPTokenizer.load(folder: folder)
        let reference = try CLIPTokenizer.load(modelFolder: Fixture.clip)
        #expect(tokenizer.encode("a photo of a cat<|endoftext|>") == reference.encode("a photo of a cat<|endoftext|>"))
    }

    /// Each malformed file is refused naming tokenizer.json and the field.
    @Test func malformedFilesNameTheField() throws {
        func model(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { object in
                var model = object["model"] as! [String: Any]
                change(&model)
                object["model"] = model
            }
        }
        let cases: [(edit: (inout [String: Any]) -> Void, says: String)] = [
            ({ $0["model"] = nil }, "\"model\""),
            (model { $0["type"] = "WordPiece" }, "\"model.type\""),
            (model { $0["end_of_word_suffix"] = NSNull() }, "\"model.end_of_word_suffix\""),
            (model { $0["end_of_word_suffix"] = "" }, "\"model.end_of_word_suffix\""),
            (model { $0["vocab"] = ["a", "b"] }, "\"model.vocab\""),
            (model { $0["vocab"] = ["a": 1.5] }, "\"model.vocab\" entry 'a' has id 1.5"),
            (model { $0["merges"] = "i n" }, "\"model.merges\""),
            (model { $0["merges"] = ["i n", "t"] }, "\"model.merges\" entry 1"),
            (model { $0["merges"] = [["i", "n"], ["t", "h", "e"]] }, "\"model.merges\" entry 1"),
            (model { $0["merges"] = ["i n", "q qqq"] }, "merge 2 makes or uses 'qqq'"),
            ({ $0["added_tokens"] = [["id": 5, "content": "<|startoftext|>"]] }, "\"added_tokens\" gives '<|startoftext|>' id 5"),
            ({ $0["added_tokens"] = [["content": "x"]] }, "\"added_tokens\" entry 0"),
            ({ $0["added_tokens"] = [["id": 49408, "content": "<cat-toy>"]] }, "\"added_tokens\" adds '<cat-toy>'"),
        ]
        for (index, (edit, says)) in cases.enumerated() {
            let folder = try folder(withConfig: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try writeTokenizerJSON(to: folder, pairs: false, edit: edit)
            do {
                _ = try CLIPTokenizer.load(folder: folder)
                Issue.record("case \(index) (\(says)) loaded")
            } catch let error as TensorFileError {
                #expect(error.path == folder.appendingPathComponent("tokenizer.json").path && error.problem.contains(says), "case \(index): \(error)")
            }
        }
        let folder = try folder(withConfig: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"model\": ".utf8).write(to: folder.appendingPathComponent("tokenizer.json"))
        #expect { try CLIPTokenizer.load(folder: folder) } throws: { "\($0)".contains("tokenizer.json") && "\($0)".contains("not valid JSON") }
    }
}
