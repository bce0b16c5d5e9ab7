import Compute
import Foundation
import Tensors

/// How a Stable Diffusion XL folder's text side is loaded and checked against its UNet: both text encoders'
/// widths against cross_attention_dim, and the pooled width with six time ids against the added embedding's
/// input (projection_class_embeddings_input_dim), each mismatch naming the file and field.
enum SDXLPipelineCheck {
    /// model_index.json's `_class_name` for SDXL pipelines.
    static let className = "StableDiffusionXLPipeline"
    /// Time ids per sample in SDXL base: original size, crop top-left, target size (the refiner's aesthetic score
    /// variant has five, and is not supported).
    static let timeIDCount = 6

    static func promptEncoder(folder url: URL, unet: DiffusersUNet, crossAttentionDim: Int, microConditioning: MicroConditioning,
                              precision: Precision, backend: any Backend) throws -> SDXLPromptEncoder {
        let unetConfig = url.appendingPathComponent("unet/config.json")
        guard let textTime = unet.textTimeEmbedding else {
            throw TensorFileError(unetConfig, "field \"addition_embed_type\" is not \"text_time\", but model_index.json names a \(className); the UNet is not an SDXL UNet")
        }
        let index = url.appendingPathComponent("model_index.json")
        let forceZeros = FileManager.default.fileExists(atPath: index.path)
            ? try DiffusersConfig(contentsOf: index).bool("force_zeros_for_empty_prompt", default: true) : true
        let encoder = try SDXLPromptEncoder.load(modelFolder: url, forceZerosForEmptyPrompt: forceZeros,
                                                 microConditioning: microConditioning,
                                                 precision: precision, backend: backend)
        let widths = (encoder.textEncoders.first.config.hiddenSize, encoder.textEncoders.second.config.hiddenSize)
        guard widths.0 + widths.1 == crossAttentionDim else {
            throw TensorFileError(unetConfig, "field \"cross_attention_dim\" is \(crossAttentionDim), but text_encoder/ and text_encoder_2/ give states \(widths.0) + \(widths.1) = \(widths.0 + widths.1) wide (their config.json's hidden_size); the text encoders and UNet belong to different models")
        }
        let pooled = encoder.pooledWidth
        guard pooled + timeIDCount * textTime.timeIDChannels == textTime.inputChannels else {
            throw TensorFileError(unetConfig, "field \"projection_class_embeddings_input_dim\" is \(textTime.inputChannels), but the added embedding gets text_encoder_2's projection_dim \(pooled) + \(timeIDCount) time ids × addition_time_embed_dim \(textTime.timeIDChannels) = \(pooled + timeIDCount * textTime.timeIDChannels); the text encoders and UNet belong to different models (or this is a refiner, whose aesthetic-score time ids belm does not implement)")
        }
        return encoder
    }
}
