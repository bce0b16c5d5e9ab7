/// The shape of a diffusers UNet, common to UNet2DModel and UNet2DConditionModel: what each level holds.
/// The two config parsers produce it; `DiffusersUNet` builds the network from it.
struct UNetArchitecture {
    /// The layer after each resnet of a level, if any.
    enum Mixer {
        /// Spatial self-attention (AttnDownBlock2D, AttnUpBlock2D, UNetMidBlock2D).
        case selfAttention(headDim: Int?, normGroups: Int?, eps: Double, rescale: Double)
        /// Transformer2DModel with cross-attention (CrossAttnDownBlock2D, CrossAttnUpBlock2D, UNetMidBlock2DCrossAttn).
        case transformer(TransformerSettings)
    }

    /// `addition_embed_type: text_time`: each time id through `timeIDProjection` (sinusoidal, the UNet's flip and
    /// shift), flattened per sample after the pooled text embedding, then `add_embedding` (linear, SiLU, linear),
    /// added to the timestep embedding.
    struct TextTime {
        var settings: TextTimeEmbeddingSettings
        var timeIDProjection: SinusoidalTimestepEmbedding
    }

    var className: String
    var inChannels: Int
    var outChannels: Int
    var centerInputSample: Bool
    var timeProjection: SinusoidalTimestepEmbedding
    var timeEmbeddingChannels: Int
    var numClassEmbeds: Int?
    /// SDXL's added embedding of the pooled text and the micro-conditioning time ids; nil for other UNets.
    var textTime: TextTime?
    var blockOutChannels: [Int]
    /// Resnets per encoder level; decoder level i has reversed(layersPerBlock)[i] + 1.
    var layersPerBlock: [Int]
    var downMixers: [Mixer?]
    var upMixers: [Mixer?]
    var hasMidBlock: Bool
    var midMixer: Mixer?
    var midBlockScaleFactor: Double
    var downsamplePadding: Int
    var resnet: ResnetSettings
    /// Width of the text embeddings the cross-attention takes; nil for unconditional/class-conditional UNets.
    var crossAttentionDim: Int?
}
