import Compute
import Diffusion
import Foundation
import Tensors

/// Stable Diffusion's text side in one piece: prompts → CLIP ids → `last_hidden_state`, the UNet's
/// cross-attention conditioning, for a batch of prompts at once.
public final class PromptEncoder {
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel

    /// The hidden states [prompts, maxLength, hidden_size] and the indices of prompts cut to fit.
    public struct Encoding {
        public let hiddenStates: Tensor
        public let truncatedPrompts: [Int]
        public var conditioning: Conditioning { .text(hiddenStates) }
    }

    /// Checks that the tokenizer's ids and length fit the text encoder; `folder`, the pipeline folder both came
    /// from, names the file in the error.
    public init(tokenizer: CLIPTokenizer, textEncoder: CLIPTextModel, folder: URL) throws {
        try Self.checkPair(tokenizer, textEncoder, folder: folder, tokenizerName: "tokenizer", encoderName: "text_encoder")
        self.tokenizer = tokenizer
        self.textEncoder = textEncoder
    }

    /// Checks that a tokenizer's ids and length fit its text encoder (`<folder>/<encoderName>/config.json` named).
    static func checkPair(_ tokenizer: CLIPTokenizer, _ textEncoder: CLIPTextModel, folder: URL,
                          tokenizerName: String, encoderName: String) throws {
        let config = folder.appendingPathComponent("\(encoderName)/config.json")
        guard tokenizer.maxLength <= textEncoder.config.maxPositions else {
            throw TensorFileError(config, "max_position_embeddings \(textEncoder.config.maxPositions) is shorter than \(tokenizerName)/tokenizer_config.json's model_max_length \(tokenizer.maxLength); the tokenizer and text encoder belong to different models")
        }
        let largest = max(tokenizer.startID, tokenizer.endID, tokenizer.padID)
        guard largest < textEncoder.config.vocabSize else {
            throw TensorFileError(config, "vocab_size \(textEncoder.config.vocabSize) does not hold \(tokenizerName)'s special token id \(largest); the tokenizer and text encoder belong to different models")
        }
    }

    /// Loads tokenizer/ and text_encoder/ from a diffusers Stable Diffusion folder.
    public static func load(modelFolder: URL, backend: any Backend, precision: Precision = .standard) throws -> PromptEncoder {
        let tokenizer = try CLIPTokenizer.load(folder: modelFolder.appendingPathComponent("tokenizer"))
        let textEncoder = try CLIPTextModel.load(folder: modelFolder.appendingPathComponent("text_encoder"), backend: backend, precision: precision)
        return try PromptEncoder(tokenizer: tokenizer, textEncoder: textEncoder, folder: modelFolder)
    }

    public func encode(_ prompts: [String]) throws -> Encoding {
        precondition(!prompts.isEmpty, "encode needs at least one prompt")
        let encodings = prompts.map(tokenizer.encode)
        let ids = HostIntTensor(shape: [prompts.count, tokenizer.maxLength],
                                scalars: encodings.flatMap { $0.ids.map(Int64.init) })
        return Encoding(hiddenStates: try textEncoder.encode(inputIDs: ids),
                        truncatedPrompts: encodings.indices.filter { encodings[$0].isTruncated })
    }
}
