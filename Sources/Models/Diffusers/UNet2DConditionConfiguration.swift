import Foundation
import Tensors

/// A diffusers UNet2DConditionModel `config.json` (Stable Diffusion 1.x, 2.x and XL), validated: the fields SD uses
/// are read, and the many other variants the class supports are refused with the file and field named.
public struct UNet2DConditionConfiguration: Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var centerInputSample: Bool
    public var flipSinToCos: Bool
    public var freqShift: Double
    public var downBlockCrossAttention: [Bool]
    public var upBlockCrossAttention: [Bool]
    public var hasMidBlock: Bool
    public var blockOutChannels: [Int]
    public var layersPerBlock: [Int]
    public var transformerLayersPerBlock: [Int]
    public var downsamplePadding: Int
    public var midBlockScaleFactor: Double
    public var normGroups: Int
    public var normEps: Double
    public var crossAttentionDim: Int
    /// Heads per level (what diffusers, for historical reasons, reads from `attention_head_dim`).
    public var attentionHeads: [Int]
    /// `upcast_attention` (SD 2.1): at fp16 the attention scores and their softmax are stored in fp32 (q and k
    /// converted before the score product), as diffusers upcasts them; fp16 scores overflow in these models.
    public var upcastAttention: Bool
    public var useLinearProjection: Bool
    public var timeEmbeddingNorm: TimeEmbeddingNorm
    public var timeEmbeddingDim: Int?
    public var numClassEmbeds: Int?
    /// SDXL's `addition_embed_type: text_time`; nil when the field is unset.
    public var textTimeEmbedding: TextTimeEmbeddingSettings?

    static let knownFields: Set<String> = [
        "sample_size", "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift",
        "down_block_types", "mid_block_type", "up_block_types", "only_cross_attention", "block_out_channels",
        "layers_per_block", "downsample_padding", "mid_block_scale_factor", "dropout", "act_fn", "norm_num_groups",
        "norm_eps", "cross_attention_dim", "transformer_layers_per_block", "reverse_transformer_layers_per_block",
        "encoder_hid_dim", "encoder_hid_dim_type", "attention_head_dim", "num_attention_heads", "dual_cross_attention",
        "use_linear_projection", "class_embed_type", "addition_embed_type", "addition_time_embed_dim",
        "num_class_embeds", "upcast_attention", "resnet_time_scale_shift", "resnet_skip_time_act",
        "resnet_out_scale_factor", "time_embedding_type", "time_embedding_dim", "time_embedding_act_fn",
        "timestep_post_act", "time_cond_proj_dim", "conv_in_kernel", "conv_out_kernel",
        "projection_class_embeddings_input_dim", "attention_type", "class_embeddings_concat",
        "mid_block_only_cross_attention", "cross_attention_norm", "addition_embed_type_num_heads",
    ]

    public init(_ config: DiffusersConfig) throws {
        try config.expectClass(["UNet2DConditionModel"])
        try config.rejectUnknownFields(known: Self.knownFields)
        inChannels = try config.int("in_channels", default: 4, in: ModelSizeLimits.channels)
        outChannels = try config.int("out_channels", default: 4, in: ModelSizeLimits.channels)
        _ = try config.sampleSize()  // the pipeline runs at it; checked here so that every loader bounds it
        centerInputSample = try config.bool("center_input_sample", default: false)
        flipSinToCos = try config.bool("flip_sin_to_cos", default: true)
        freqShift = try config.double("freq_shift", default: 0)
        blockOutChannels = try config.ints("block_out_channels", default: [320, 640, 1280, 1280],
                                           count: ModelSizeLimits.levels, each: ModelSizeLimits.channels)
        let levels = blockOutChannels.count
        let downTypes = try config.strings("down_block_types", default: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])
        let upTypes = try config.strings("up_block_types", default: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"])
        guard downTypes.count == levels else { throw config.error("down_block_types", "has \(downTypes.count) entries for \(levels) block_out_channels") }
        guard upTypes.count == levels else { throw config.error("up_block_types", "has \(upTypes.count) entries for \(levels) block_out_channels") }
        downBlockCrossAttention = try downTypes.map { try config.blockHasAttention($0, plain: "DownBlock2D", attention: "CrossAttnDownBlock2D", field: "down_block_types") }
        upBlockCrossAttention = try upTypes.map { try config.blockHasAttention($0, plain: "UpBlock2D", attention: "CrossAttnUpBlock2D", field: "up_block_types") }
        let midExplicitlyNone = config.isUnset("mid_block_type") && config.fields["mid_block_type"] != nil
        hasMidBlock = midExplicitlyNone ? false
            : try config.choice("mid_block_type", ["UNetMidBlock2DCrossAttn"], default: "UNetMidBlock2DCrossAttn") != ""
        layersPerBlock = try config.intPerLevel("layers_per_block", levels: levels, default: 2, in: ModelSizeLimits.layersPerBlock)
        transformerLayersPerBlock = try config.intPerLevel("transformer_layers_per_block", levels: levels, default: 1,
                                                           in: ModelSizeLimits.layersPerBlock)
        downsamplePadding = try config.int("downsample_padding", default: 1)
        guard downsamplePadding == 0 || downsamplePadding == 1 else {
            throw config.error("downsample_padding", "is \(downsamplePadding); belm supports 0 and 1")
        }
        midBlockScaleFactor = try config.double("mid_block_scale_factor", default: 1)
        _ = try config.double("dropout", default: 0)  // inference: dropout is the identity
        _ = try config.choice("act_fn", ["silu", "swish"], default: "silu")
        normGroups = try config.int("norm_num_groups", default: 32, in: ModelSizeLimits.groupsOrHeads)
        normEps = try config.positiveDouble("norm_eps", default: 1e-5, hint: "Stable Diffusion uses 1e-5")
        crossAttentionDim = try config.int("cross_attention_dim", default: 1280, in: ModelSizeLimits.channels)
        attentionHeads = try config.intPerLevel("attention_head_dim", levels: levels, default: 8, in: ModelSizeLimits.groupsOrHeads)
        try config.requireDefault("num_attention_heads", Optional<Int>.none)
        useLinearProjection = try config.bool("use_linear_projection", default: false)
        upcastAttention = try config.bool("upcast_attention", default: false)
        timeEmbeddingNorm = TimeEmbeddingNorm(rawValue: try config.choice("resnet_time_scale_shift", ["default", "scale_shift"], default: "default"))!
        _ = try config.choice("time_embedding_type", ["positional"], default: "positional")
        timeEmbeddingDim = try config.optionalInt("time_embedding_dim", in: ModelSizeLimits.channels)
        numClassEmbeds = try config.optionalInt("num_class_embeds", in: ModelSizeLimits.classes)
        try config.requireDefault("only_cross_attention", false)
        try config.requireDefault("mid_block_only_cross_attention", false)
        try config.requireDefault("dual_cross_attention", false)
        try config.requireDefault("resnet_skip_time_act", false)
        try config.requireDefault("class_embeddings_concat", false)
        try config.requireDefault("resnet_out_scale_factor", 1.0)
        try config.requireDefault("conv_in_kernel", 3)
        try config.requireDefault("conv_out_kernel", 3)
        try config.requireDefault("attention_type", "default")
        textTimeEmbedding = try TextTimeEmbeddingSettings(config)
        for key in ["class_embed_type", "encoder_hid_dim",
                    "encoder_hid_dim_type", "time_embedding_act_fn", "timestep_post_act", "time_cond_proj_dim",
                    "cross_attention_norm", "reverse_transformer_layers_per_block"] {
            try config.requireDefault(key, Optional<String>.none)
        }
        for channels in blockOutChannels where channels % normGroups != 0 {
            throw config.error("norm_num_groups", "is \(normGroups), which does not divide block_out_channels entry \(channels)")
        }
        for (channels, heads) in zip(blockOutChannels, attentionHeads) where channels % heads != 0 {
            throw config.error("attention_head_dim", "gives \(heads) heads (diffusers reads this field as the head count), which does not divide \(channels) channels")
        }
    }

    public var timeEmbeddingChannels: Int { timeEmbeddingDim ?? 4 * blockOutChannels[0] }

    var architecture: UNetArchitecture {
        let levels = blockOutChannels.count
        func transformer(heads: Int, layers: Int) -> UNetArchitecture.Mixer {
            .transformer(TransformerSettings(heads: heads, layers: layers, contextDim: crossAttentionDim,
                                             linearProjection: useLinearProjection, groups: normGroups, upcastAttention: upcastAttention))
        }
        let down = (0..<levels).map { downBlockCrossAttention[$0] ? transformer(heads: attentionHeads[$0], layers: transformerLayersPerBlock[$0]) : nil }
        // Decoder level i mirrors encoder level levels−1−i (diffusers reverses heads and transformer depths).
        let up = (0..<levels).map { i -> UNetArchitecture.Mixer? in
            let mirrored = levels - 1 - i
            return upBlockCrossAttention[i] ? transformer(heads: attentionHeads[mirrored], layers: transformerLayersPerBlock[mirrored]) : nil
        }
        return UNetArchitecture(
            className: "UNet2DConditionModel", inChannels: inChannels, outChannels: outChannels, centerInputSample: centerInputSample,
            timeProjection: SinusoidalTimestepEmbedding(channels: blockOutChannels[0], flipSinToCos: flipSinToCos, frequencyShift: freqShift),
            timeEmbeddingChannels: timeEmbeddingChannels, numClassEmbeds: numClassEmbeds,
            textTime: textTimeEmbedding.map { settings in
                UNetArchitecture.TextTime(
                    settings: settings,
                    timeIDProjection: SinusoidalTimestepEmbedding(channels: settings.timeIDChannels, flipSinToCos: flipSinToCos, frequencyShift: freqShift))
            },
            blockOutChannels: blockOutChannels,
            layersPerBlock: layersPerBlock, downMixers: down, upMixers: up, hasMidBlock: hasMidBlock,
            midMixer: transformer(heads: attentionHeads[levels - 1], layers: transformerLayersPerBlock[levels - 1]),
            midBlockScaleFactor: midBlockScaleFactor, downsamplePadding: downsamplePadding,
            resnet: ResnetSettings(groups: normGroups, eps: normEps, timeEmbeddingChannels: timeEmbeddingChannels, timeEmbeddingNorm: timeEmbeddingNorm),
            crossAttentionDim: crossAttentionDim)
    }

    /// stabilityai/stable-diffusion-xl-base-1.0's unet/config.json (2.6 G parameters: 9.6 GiB in float32), for
    /// benchmarks and memory estimates with random weights.
    public static func stableDiffusionXL() -> UNet2DConditionConfiguration {
        let fields: [String: Any] = [
            "_class_name": "UNet2DConditionModel", "act_fn": "silu", "addition_embed_type": "text_time",
            "addition_embed_type_num_heads": 64, "addition_time_embed_dim": 256, "attention_head_dim": [5, 10, 20],
            "block_out_channels": [320, 640, 1280], "center_input_sample": false, "cross_attention_dim": 2048,
            "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"], "downsample_padding": 1,
            "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2, "mid_block_scale_factor": 1,
            "mid_block_type": "UNetMidBlock2DCrossAttn", "norm_eps": 1e-5, "norm_num_groups": 32, "out_channels": 4,
            "projection_class_embeddings_input_dim": 2816, "sample_size": 128, "transformer_layers_per_block": [1, 2, 10],
            "up_block_types": ["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"], "use_linear_projection": true,
        ]
        // The literal above is valid by construction.
        return try! UNet2DConditionConfiguration(DiffusersConfig(fields: fields, url: URL(fileURLWithPath: "stable-diffusion-xl-base-1.0/unet/config.json")))
    }

    /// runwayml/stable-diffusion-v1-5's unet/config.json (860 M parameters), for benchmarks with random weights.
    public static func stableDiffusion15() -> UNet2DConditionConfiguration {
        let fields: [String: Any] = [
            "_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": 8,
            "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 768,
            "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
            "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
            "mid_block_scale_factor": 1, "norm_eps": 1e-5, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
            "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
        ]
        // The literal above is valid by construction.
        return try! UNet2DConditionConfiguration(DiffusersConfig(fields: fields, url: URL(fileURLWithPath: "stable-diffusion-v1-5/unet/config.json")))
    }
}
