import Foundation
import Models
import Testing
@testable import BELMCommands

@Suite struct TokenizeCommandTests {
    /// The CLIP fixture of the Models tests: a Stable Diffusion folder holding tokenizer/.
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Fixtures/clip").standardizedFileURL

    @Test func printsOneArrayOf77IdsPerPromptAndWarnsOnTruncation() throws {
        let command = try TokenizeCommand.parse(["--model", Self.model.path, "A Dog", String(repeating: "dog ", count: 90)])
        #expect(command.prompts.count == 2)
        let tokenizer = try CLIPTokenizer.load(modelFolder: URL(fileURLWithPath: command.model))
        let (json, warnings) = TokenizeCommand.render(command.prompts, with: tokenizer)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Int]])
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == 77 })
        #expect(Array(rows[0].prefix(4)) == [49406, 320, 1929, 49407]) // <|startoftext|> a</w> dog</w> <|endoftext|>
        #expect(rows[0][4...].allSatisfy { $0 == 49407 })
        #expect(warnings.count == 1 && warnings[0].hasPrefix("prompt 2 needs 92 tokens"))
    }

    @Test func aFolderWithoutATokenizerIsRefusedByName() throws {
        let command = try TokenizeCommand.parse(["--model", "/nonexistent-model", "x"])
        #expect(throws: (any Error).self) { try command.run() }
    }
}
