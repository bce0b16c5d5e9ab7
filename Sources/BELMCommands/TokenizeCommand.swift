import ArgumentParser
import Experiments
import Foundation
import Models

/// `belm tokenize`: the CLIP token ids Stable Diffusion's text encoder would see for each prompt.
public struct TokenizeCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the CLIP token ids of prompts: a JSON array holding one array of 77 ids per prompt.",
        discussion: """
            Uses the model's tokenizer/ folder (vocab.json and merges.txt, or tokenizer.json alone, with \
            tokenizer_config.json), as transformers' CLIPTokenizer with padding to max_length and truncation. \
            Prompts longer than the model's 77 tokens are truncated (the end token is kept) with a warning on stderr.
            """
    )

    @Option(help: "A diffusers Stable Diffusion folder, or its tokenizer/ folder.")
    public var model: String

    @Argument(help: "The prompts, one JSON array of ids each.")
    public var prompts: [String] = []

    public init() {}

    public func run() throws {
        let tokenizer = try CLIPTokenizer.load(modelFolder: URL(fileURLWithPath: model))
        let (json, warnings) = Self.render(prompts, with: tokenizer)
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning.escapingControlCharacters)\n".utf8)) }
        print(json)
    }

    /// The JSON text (one prompt per line) and a warning for each prompt that had to be truncated.
    static func render(_ prompts: [String], with tokenizer: CLIPTokenizer) -> (json: String, warnings: [String]) {
        var rows: [String] = []
        var warnings: [String] = []
        for (index, prompt) in prompts.enumerated() {
            let encoding = tokenizer.encode(prompt)
            if encoding.isTruncated {
                warnings.append("prompt \(index + 1) needs \(encoding.untruncatedCount) tokens; truncated to \(tokenizer.maxLength)")
            }
            rows.append("[" + encoding.ids.map(String.init).joined(separator: ",") + "]")
        }
        return (rows.isEmpty ? "[]" : "[\n  " + rows.joined(separator: ",\n  ") + "\n]", warnings)
    }
}
