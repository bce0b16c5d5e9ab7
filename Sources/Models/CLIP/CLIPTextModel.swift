import Compute
import Foundation
import Tensors

/// transformers' `CLIPTextModel` as Stable Diffusion uses it: token and position embeddings, pre-LayerNorm
/// encoder layers with causal self-attention and a quick_gelu (or gelu) MLP, a final LayerNorm; the output
/// is `last_hidden_state`, the cross-attention conditioning of SD's UNet. A checkpoint with `text_projection`
/// is transformers' `CLIPTextModelWithProjection` (SDXL's text_encoder_2), whose `text_embeds` `outputs` gives.
/// The weights go to the backend once, when the model loads.
public final class CLIPTextModel {
    public let config: CLIPTextConfig
    public let backend: any Backend
    /// What the linear weights and the activations are stored in: at fp16 the embeddings' sum is converted to
    /// fp16 on entry and every output back to fp32, so callers see fp32 as at fp32.
    public let precision: Precision
    private let weights: CLIPTextWeights

    init(config: CLIPTextConfig, backend: any Backend, weights: CLIPTextWeights, precision: Precision) {
        self.config = config
        self.backend = backend
        self.weights = weights
        self.precision = precision
    }

    /// Bad ids or shapes passed to `encode`.
    public struct InputError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What one pass gives, as transformers names it.
    public struct Outputs {
        /// [B, S, hidden_size], after the final layer norm: SD 1.x/2.x's conditioning.
        public let lastHiddenState: Tensor
        /// `hidden_states[-2]` [B, S, hidden_size]: the input of the last encoder layer, with no final layer norm
        /// (SDXL's conditioning; the embeddings themselves for a one-layer model).
        public let penultimateHiddenState: Tensor
        /// `pooler_output` [B, hidden_size]: last_hidden_state at each sequence's first end token (`eos_token_id`;
        /// at the largest id for the legacy id 2, as transformers does).
        public let pooled: Tensor
        /// CLIPTextModelWithProjection's `text_embeds` [B, projection_dim] (pooled × text_projectionᵀ); nil without one.
        public let textEmbeds: Tensor?
    }

    /// Whether the checkpoint has `text_projection` (CLIPTextModelWithProjection).
    public var hasProjection: Bool { weights.textProjection != nil }

    /// input_ids [B, S] (S ≤ max_position_embeddings, 77 for SD) → last_hidden_state [B, S, hidden_size].
    public func encode(inputIDs: HostIntTensor) throws -> Tensor {
        try outputs(inputIDs: inputIDs).lastHiddenState
    }

    /// input_ids [B, S] → every output SD pipelines read.
    public func outputs(inputIDs: HostIntTensor) throws -> Outputs {
        guard inputIDs.shape.count == 2, inputIDs.shape[0] > 0, inputIDs.shape[1] > 0 else {
            throw InputError(description: "input_ids has shape \(inputIDs.shape); the text encoder takes [batch, sequence]")
        }
        let (batch, length) = (inputIDs.shape[0], inputIDs.shape[1])
        guard length <= config.maxPositions else {
            throw InputError(description: "input_ids holds sequences of \(length) tokens; the text encoder has \(config.maxPositions) positions")
        }
        var indices: [Int] = []
        indices.reserveCapacity(inputIDs.scalars.count)
        for id in inputIDs.scalars {
            guard id >= 0, id < config.vocabSize else {
                throw InputError(description: "input_ids holds token id \(id), outside the vocabulary of \(config.vocabSize) tokens")
            }
            indices.append(Int(id))
        }
        let tokens = backend.embedding(weights.tokenEmbedding, indices: indices)
            .reshaped([batch, length, config.hiddenSize])
        let positions = backend.slice(weights.positionEmbedding, axis: 0, range: 0..<length)
        var hidden = backend.stored(backend.add(tokens, positions), as: precision)
        let mask = causalMask(length)
        var penultimate = hidden
        for layer in weights.layers {
            penultimate = hidden
            hidden = encoderLayer(hidden, layer, mask: mask)
        }
        let last = backend.layerNorm(hidden, weight: weights.finalNorm.weight, bias: weights.finalNorm.bias,
                                     eps: config.layerNormEpsilon)
        let endPositions = (0..<batch).map { row in
            Self.poolingPosition(Array(inputIDs.scalars[(row * length)..<((row + 1) * length)]), eosTokenID: config.eosTokenID)
        }
        let pooled = backend.embedding(last.reshaped([batch * length, config.hiddenSize]),
                                       indices: endPositions.enumerated().map { $0.offset * length + $0.element })
        let textEmbeds = weights.textProjection.map { backend.linear(pooled, weight: $0, bias: nil) }
        let fp32 = { (t: Tensor) in self.backend.stored(t, as: .fp32) }
        return Outputs(lastHiddenState: fp32(last), penultimateHiddenState: fp32(penultimate), pooled: fp32(pooled),
                       textEmbeds: textEmbeds.map(fp32))
    }

    /// The position transformers pools: the first `eosTokenID` (0 when there is none, as torch's argmax of all
    /// zeros gives), or, for configs from before the end token's id was fixed (2), the first largest id.
    static func poolingPosition(_ ids: [Int64], eosTokenID: Int) -> Int {
        if eosTokenID == 2 {
            let largest = ids.max() ?? 0
            return ids.firstIndex(of: largest) ?? 0
        }
        return ids.firstIndex(of: Int64(eosTokenID)) ?? 0
    }

    /// [S, S]: 0 where a query may attend (key position ≤ query position), float32's lowest value above the
    /// diagonal — transformers' mask, added to the scores before the softmax.
    private func causalMask(_ length: Int) -> Tensor {
        var values = [Float](repeating: 0, count: length * length)
        for query in 0..<length {
            for key in 0..<length where key > query { values[query * length + key] = -Float.greatestFiniteMagnitude }
        }
        return backend.tensor(values, shape: [length, length])
    }

    private func encoderLayer(_ x: Tensor, _ layer: CLIPTextWeights.Layer, mask: Tensor) -> Tensor {
        let eps = config.layerNormEpsilon
        let attended = selfAttention(backend.layerNorm(x, weight: layer.norm1.weight, bias: layer.norm1.bias, eps: eps),
                                     layer, mask: mask)
        let afterAttention = backend.add(x, attended)
        var h = backend.layerNorm(afterAttention, weight: layer.norm2.weight, bias: layer.norm2.bias, eps: eps)
        h = backend.linear(h, weight: layer.fc1.weight, bias: layer.fc1.bias)
        h = backend.activation(h, config.activation)
        h = backend.linear(h, weight: layer.fc2.weight, bias: layer.fc2.bias)
        return backend.add(afterAttention, h)
    }

    private func selfAttention(_ x: Tensor, _ layer: CLIPTextWeights.Layer, mask: Tensor) -> Tensor {
        let (batch, length) = (x.shape[0], x.shape[1])
        let (heads, headSize) = (config.headCount, config.headSize)
        // [B, S, D] → [B·H, S, d]: one attention problem per (sequence, head).
        func splitHeads(_ t: Tensor) -> Tensor {
            backend.permute(t.reshaped([batch, length, heads, headSize]), [0, 2, 1, 3])
                .reshaped([batch * heads, length, headSize])
        }
        let q = splitHeads(backend.linear(x, weight: layer.query.weight, bias: layer.query.bias))
        let k = splitHeads(backend.linear(x, weight: layer.key.weight, bias: layer.key.bias))
        let v = splitHeads(backend.linear(x, weight: layer.value.weight, bias: layer.value.bias))
        let scores = backend.batchedMatmul(q, k, transposeB: true, scale: 1 / Float(headSize).squareRoot())
        let probabilities = backend.softmax(backend.add(scores, mask))
        let context = backend.batchedMatmul(probabilities, v, transposeB: false, scale: 1)
        let merged = backend.permute(context.reshaped([batch, heads, length, headSize]), [0, 2, 1, 3])
            .reshaped([batch, length, config.hiddenSize])
        return backend.linear(merged, weight: layer.output.weight, bias: layer.output.bias)
    }
}
