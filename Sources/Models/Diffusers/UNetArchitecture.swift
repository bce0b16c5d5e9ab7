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

    var className: String
    var inChannels: Int
    var outChannels: Int
    var centerInputSample: Bool
    var timeProjection: SinusoidalTimestepEmbedding
    var timeEmbeddingChannels: Int
    var numClassEmbeds: Int?
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
