import Compute
import Foundation
import Tensors

/// The fields of transformers' `CLIPTextConfig` (a text_encoder/config.json) that the forward pass uses.
/// Values belm does not implement are refused when read, naming the file and the field.
public struct CLIPTextConfig: Equatable, Sendable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var maxPositions: Int
    public var activation: Activation
    public var layerNormEpsilon: Float
    /// The end token's id (`eos_token_id`): the pooled output is the final hidden state at its first occurrence.
    public var eosTokenID: Int
    /// Width of `text_projection` (`projection_dim`), used by CLIPTextModelWithProjection (SDXL's text_encoder_2).
    public var projectionDim: Int

    public var headSize: Int { hiddenSize / headCount }

    /// SD1.5's text encoder (openai/clip-vit-large-patch14's text tower).
    public static let stableDiffusion15 = CLIPTextConfig(
        vocabSize: 49408, hiddenSize: 768, intermediateSize: 3072, layerCount: 12, headCount: 12,
        maxPositions: 77, activation: .quickGelu, layerNormEpsilon: 1e-5)

    public init(vocabSize: Int, hiddenSize: Int, intermediateSize: Int, layerCount: Int, headCount: Int,
                maxPositions: Int, activation: Activation, layerNormEpsilon: Float, eosTokenID: Int = 49407, projectionDim: Int = 512) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.maxPositions = maxPositions
        self.activation = activation
        self.layerNormEpsilon = layerNormEpsilon
        self.eosTokenID = eosTokenID
        self.projectionDim = projectionDim
    }

    /// Reads config.json; fields it lacks take transformers' CLIPTextConfig defaults, as transformers does.
    public init(contentsOf url: URL) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        } catch {
            throw TensorFileError(url, "cannot be read as JSON (\(error.localizedDescription)); a text encoder folder needs its config.json")
        }
        guard let json = object as? [String: Any] else {
            throw TensorFileError(url, "is not a JSON object")
        }
        if let type = json["model_type"] as? String, type != "clip_text_model" {
            throw TensorFileError(url, "model_type is '\(type)'; belm's text encoder is transformers' CLIPTextModel (model_type clip_text_model)")
        }
        func integer(_ field: String, _ fallback: Int) throws -> Int {
            guard let value = json[field] else { return fallback }
            guard let number = value as? NSNumber, let int = Int(exactly: number.doubleValue), int > 0 else {
                throw TensorFileError(url, "\(field) is \(value), not a positive integer")
            }
            return int
        }
        vocabSize = try integer("vocab_size", 49408)
        hiddenSize = try integer("hidden_size", 512)
        intermediateSize = try integer("intermediate_size", 2048)
        layerCount = try integer("num_hidden_layers", 12)
        headCount = try integer("num_attention_heads", 8)
        maxPositions = try integer("max_position_embeddings", 77)
        projectionDim = try integer("projection_dim", 512)
        // Any integer: only the pooled output uses it, and an id no input holds pools position 0, as transformers does.
        if let value = json["eos_token_id"], !(value is NSNull) {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue) else {
                throw TensorFileError(url, "eos_token_id is \(value), not an integer token id")
            }
            eosTokenID = id
        } else {
            eosTokenID = 49407
        }
        guard hiddenSize % headCount == 0 else {
            throw TensorFileError(url, "hidden_size \(hiddenSize) does not split into num_attention_heads \(headCount) equal heads")
        }
        switch json["hidden_act"] as? String ?? "quick_gelu" {
        case "quick_gelu": activation = .quickGelu
        case "gelu": activation = .gelu
        case let other:
            throw TensorFileError(url, "hidden_act '\(other)' is not supported; belm's CLIP text encoder runs quick_gelu or gelu")
        }
        if let value = json["layer_norm_eps"] {
            guard let number = value as? NSNumber, number.doubleValue > 0 else {
                throw TensorFileError(url, "layer_norm_eps is \(value), not a positive number")
            }
            layerNormEpsilon = number.floatValue
        } else {
            layerNormEpsilon = 1e-5
        }
    }
}
