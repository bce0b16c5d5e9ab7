import Foundation
import Tensors

/// SDXL's `addition_embed_type: "text_time"` in a UNet2DConditionModel config.json: the width of the sinusoidal
/// embedding of each micro-conditioning time id (`addition_time_embed_dim`, 256 in SDXL) and the input width of
/// `add_embedding` (`projection_class_embeddings_input_dim`, 2816 = the pooled text embedding's 1280 + 6 × 256).
public struct TextTimeEmbeddingSettings: Sendable, Equatable {
    public var timeIDChannels: Int
    public var inputChannels: Int

    /// Nil when `addition_embed_type` is unset; other addition types are refused, and the two widths are required.
    init?(_ config: DiffusersConfig) throws {
        guard !config.isUnset("addition_embed_type") else {
            for key in ["addition_time_embed_dim", "projection_class_embeddings_input_dim"] where !config.isUnset(key) {
                throw config.error(key, "is set, but addition_embed_type is not; diffusers ignores it then — remove it, or set addition_embed_type to \"text_time\" (SDXL)")
            }
            return nil
        }
        _ = try config.choice("addition_embed_type", ["text_time"], default: "text_time")
        timeIDChannels = try config.int("addition_time_embed_dim", in: ModelSizeLimits.channels)
        inputChannels = try config.int("projection_class_embeddings_input_dim", in: ModelSizeLimits.channels)
        guard inputChannels > timeIDChannels else {
            throw config.error("projection_class_embeddings_input_dim", "is \(inputChannels), which leaves no room for the pooled text embedding beside the time ids' \(timeIDChannels)-wide embeddings (SDXL: 1280 + 6 × 256 = 2816)")
        }
    }

    /// The time ids `pooledWidth` leaves room for: (input − pooled) / addition_time_embed_dim, when it divides.
    public func timeIDCount(pooledWidth: Int) -> Int? {
        let rest = inputChannels - pooledWidth
        guard rest > 0, rest % timeIDChannels == 0 else { return nil }
        return rest / timeIDChannels
    }
}
