import Compute
import Foundation
import Tensors

/// The text encoder's parameters on a backend, read from a transformers checkpoint. Keys are looked up with
/// or without the `text_model.` prefix: SD1.5's files have it, transformers 5's save_pretrained drops it.
struct CLIPTextWeights {
    struct Affine {
        let weight: Tensor
        let bias: Tensor
    }

    struct Layer {
        let norm1, norm2: Affine
        let query, key, value, output: Affine
        let fc1, fc2: Affine
    }

    let tokenEmbedding: Tensor
    let positionEmbedding: Tensor
    let layers: [Layer]
    let finalNorm: Affine
    /// CLIPTextModelWithProjection's `text_projection.weight` [projection_dim, hidden_size] (no bias); nil for a
    /// plain CLIPTextModel's file.
    let textProjection: Tensor?

    /// The linear layers' weights are stored at `precision`; embeddings, norms and biases stay fp32 (the model's
    /// activations take `precision` after the embeddings are summed).
    init(file: SafetensorsFile, config: CLIPTextConfig, backend: any Backend, precision: Precision) throws {
        let prefix = file.entries["text_model.embeddings.token_embedding.weight"] != nil ? "text_model." : ""
        func load(_ name: String, _ shape: [Int], precision: Precision = .fp32) throws -> Tensor {
            let key = prefix + name
            guard let entry = file.entries[key] else {
                throw TensorFileError(file.url, "has no tensor '\(key)'; it is not a CLIPTextModel checkpoint, or it was saved for another config")
            }
            guard entry.shape == shape else {
                throw TensorFileError(file.url, "tensor '\(key)' has shape \(entry.shape) but config.json asks for \(shape); the weights and config.json belong to different models")
            }
            return backend.weight(try file.floatTensor(key), precision: precision)
        }
        let (d, inner) = (config.hiddenSize, config.intermediateSize)
        func affine(_ name: String, _ weightShape: [Int], _ biasCount: Int) throws -> Affine {
            // Norms' affines are [d]: only the linear layers' [out, in] weights take the precision.
            Affine(weight: try load(name + ".weight", weightShape, precision: weightShape.count == 2 ? precision : .fp32),
                   bias: try load(name + ".bias", [biasCount]))
        }
        tokenEmbedding = try load("embeddings.token_embedding.weight", [config.vocabSize, d])
        positionEmbedding = try load("embeddings.position_embedding.weight", [config.maxPositions, d])
        layers = try (0..<config.layerCount).map { index in
            let base = "encoder.layers.\(index)."
            return Layer(
                norm1: try affine(base + "layer_norm1", [d], d),
                norm2: try affine(base + "layer_norm2", [d], d),
                query: try affine(base + "self_attn.q_proj", [d, d], d),
                key: try affine(base + "self_attn.k_proj", [d, d], d),
                value: try affine(base + "self_attn.v_proj", [d, d], d),
                output: try affine(base + "self_attn.out_proj", [d, d], d),
                fc1: try affine(base + "mlp.fc1", [inner, d], inner),
                fc2: try affine(base + "mlp.fc2", [d, inner], d))
        }
        finalNorm = try affine("final_layer_norm", [d], d)
        // The projection sits beside text_model, never under it.
        if file.entries["text_projection.weight"] != nil {
            guard file.entries["text_projection.weight"]?.shape == [config.projectionDim, d] else {
                throw TensorFileError(file.url, "tensor 'text_projection.weight' has shape \(file.entries["text_projection.weight"]!.shape) but config.json asks for [\(config.projectionDim), \(d)] (projection_dim, hidden_size); the weights and config.json belong to different models")
            }
            textProjection = backend.tensor(try file.floatTensor("text_projection.weight"))
        } else {
            textProjection = nil
        }
    }
}
