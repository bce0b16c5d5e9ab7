import Foundation
import Tensors

/// A diffusers UNet2DModel `config.json`, validated: every field the DDPM-family checkpoints use is read, and
/// any value belm does not implement is refused with the file and field named.
public struct UNet2DConfiguration: Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var sampleSize: Int?
    public var centerInputSample: Bool
    public var flipSinToCos: Bool
    public var freqShift: Double
    /// One entry per level; true where the level's resnets are followed by self-attention.
    public var downBlockAttention: [Bool]
    public var upBlockAttention: [Bool]
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    public var hasMidBlock: Bool
    public var midBlockAttention: Bool
    public var midBlockScaleFactor: Double
    public var downsamplePadding: Int
    /// nil: one head spanning all channels.
    public var attentionHeadDim: Int?
    public var normGroups: Int
    /// Group count of the mid-block attention's norm; nil means diffusers' rule (norm only with default resnets).
    public var attentionNormGroups: Int?
    public var normEps: Double
    public var timeEmbeddingNorm: TimeEmbeddingNorm
    public var timeEmbeddingDim: Int?
    public var numClassEmbeds: Int?

    static let knownFields: Set<String> = [
        "sample_size", "in_channels", "out_channels", "center_input_sample", "time_embedding_type",
        "time_embedding_dim", "freq_shift", "flip_sin_to_cos", "down_block_types", "mid_block_type", "up_block_types",
        "block_out_channels", "layers_per_block", "mid_block_scale_factor", "downsample_padding", "downsample_type",
        "upsample_type", "dropout", "act_fn", "attention_head_dim", "norm_num_groups", "attn_norm_num_groups",
        "norm_eps", "resnet_time_scale_shift", "add_attention", "class_embed_type", "num_class_embeds",
        "num_train_timesteps",
    ]

    public init(_ config: DiffusersConfig) throws {
        try config.expectClass(["UNet2DModel"])
        try config.rejectUnknownFields(known: Self.knownFields)
        inChannels = try config.int("in_channels", default: 3, in: ModelSizeLimits.channels)
        outChannels = try config.int("out_channels", default: 3, in: ModelSizeLimits.channels)
        sampleSize = try config.sampleSize()
        centerInputSample = try config.bool("center_input_sample", default: false)
        _ = try config.choice("time_embedding_type", ["positional"], default: "positional")
        timeEmbeddingDim = try config.optionalInt("time_embedding_dim", in: ModelSizeLimits.channels)
        freqShift = try config.double("freq_shift", default: 0)
        flipSinToCos = try config.bool("flip_sin_to_cos", default: true)

        blockOutChannels = try config.ints("block_out_channels", default: [224, 448, 672, 896],
                                           count: ModelSizeLimits.levels, each: ModelSizeLimits.channels)
        let downTypes = try config.strings("down_block_types", default: ["DownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D", "AttnDownBlock2D"])
        let upTypes = try config.strings("up_block_types", default: ["AttnUpBlock2D", "AttnUpBlock2D", "AttnUpBlock2D", "UpBlock2D"])
        downBlockAttention = try downTypes.map { try config.blockHasAttention($0, plain: "DownBlock2D", attention: "AttnDownBlock2D", field: "down_block_types") }
        upBlockAttention = try upTypes.map { try config.blockHasAttention($0, plain: "UpBlock2D", attention: "AttnUpBlock2D", field: "up_block_types") }
        guard downTypes.count == blockOutChannels.count else {
            throw config.error("down_block_types", "has \(downTypes.count) entries but block_out_channels has \(blockOutChannels.count); they must match")
        }
        guard upTypes.count == blockOutChannels.count else {
            throw config.error("up_block_types", "has \(upTypes.count) entries but block_out_channels has \(blockOutChannels.count); they must match")
        }
        layersPerBlock = try config.int("layers_per_block", default: 2, in: ModelSizeLimits.layersPerBlock)

        let midType = config.isUnset("mid_block_type") && config.fields["mid_block_type"] != nil ? nil
            : try config.choice("mid_block_type", ["UNetMidBlock2D"], default: "UNetMidBlock2D")
        hasMidBlock = midType != nil
        midBlockAttention = try config.bool("add_attention", default: true)
        midBlockScaleFactor = try config.double("mid_block_scale_factor", default: 1)
        downsamplePadding = try config.int("downsample_padding", default: 1)
        guard downsamplePadding == 0 || downsamplePadding == 1 else {
            throw config.error("downsample_padding", "is \(downsamplePadding); belm supports 0 (pad bottom/right, as DDPM) and 1")
        }
        _ = try config.choice("downsample_type", ["conv"], default: "conv")
        _ = try config.choice("upsample_type", ["conv"], default: "conv")
        _ = try config.choice("act_fn", ["silu", "swish"], default: "silu")
        _ = try config.double("dropout", default: 0)  // inference only: dropout is the identity

        attentionHeadDim = try config.isUnset("attention_head_dim") && config.fields["attention_head_dim"] != nil
            ? nil : config.int("attention_head_dim", default: 8, in: ModelSizeLimits.groupsOrHeads)
        normGroups = try config.int("norm_num_groups", default: 32, in: ModelSizeLimits.groupsOrHeads)
        attentionNormGroups = try config.optionalInt("attn_norm_num_groups", in: ModelSizeLimits.groupsOrHeads)
        normEps = try config.positiveDouble("norm_eps", default: 1e-5, hint: "diffusers' UNets use 1e-5 or 1e-6")
        timeEmbeddingNorm = TimeEmbeddingNorm(rawValue: try config.choice("resnet_time_scale_shift", ["default", "scale_shift"], default: "default"))!

        if let type = try config.optionalString("class_embed_type") {
            throw config.error("class_embed_type", "is \"\(type)\"; belm supports class labels only through num_class_embeds (class_embed_type null)")
        }
        numClassEmbeds = try config.optionalInt("num_class_embeds", in: ModelSizeLimits.classes)

        for channels in blockOutChannels where channels % normGroups != 0 {
            throw config.error("norm_num_groups", "is \(normGroups), which does not divide block_out_channels entry \(channels)")
        }
        if let groups = attentionNormGroups, blockOutChannels.last! % groups != 0 {
            throw config.error("attn_norm_num_groups", "is \(groups), which does not divide \(blockOutChannels.last!) channels")
        }
        if let headDim = attentionHeadDim {
            var attended: [Int] = zip(blockOutChannels, downBlockAttention).filter(\.1).map(\.0)
            attended += zip(blockOutChannels.reversed(), upBlockAttention).filter(\.1).map(\.0)
            if hasMidBlock && midBlockAttention { attended.append(blockOutChannels.last!) }
            for channels in attended where channels % headDim != 0 {
                throw config.error("attention_head_dim", "is \(headDim), which does not divide the \(channels) channels of an attention layer")
            }
        }
    }

    public var timeEmbeddingChannels: Int { timeEmbeddingDim ?? 4 * blockOutChannels[0] }

    var architecture: UNetArchitecture {
        func attention(_ present: Bool) -> UNetArchitecture.Mixer? {
            present ? .selfAttention(headDim: attentionHeadDim, normGroups: normGroups, eps: normEps, rescale: 1) : nil
        }
        // diffusers gives the mid-block attention a group norm only with default resnets, unless told.
        let midGroups = attentionNormGroups ?? (timeEmbeddingNorm == .default ? normGroups : nil)
        return UNetArchitecture(
            className: "UNet2DModel", inChannels: inChannels, outChannels: outChannels, centerInputSample: centerInputSample,
            timeProjection: SinusoidalTimestepEmbedding(channels: blockOutChannels[0], flipSinToCos: flipSinToCos, frequencyShift: freqShift),
            timeEmbeddingChannels: timeEmbeddingChannels, numClassEmbeds: numClassEmbeds, blockOutChannels: blockOutChannels,
            layersPerBlock: [Int](repeating: layersPerBlock, count: blockOutChannels.count),
            downMixers: downBlockAttention.map(attention), upMixers: upBlockAttention.map(attention),
            hasMidBlock: hasMidBlock,
            midMixer: midBlockAttention ? .selfAttention(headDim: attentionHeadDim, normGroups: midGroups, eps: normEps, rescale: midBlockScaleFactor) : nil,
            midBlockScaleFactor: midBlockScaleFactor, downsamplePadding: downsamplePadding,
            resnet: ResnetSettings(groups: normGroups, eps: normEps, timeEmbeddingChannels: timeEmbeddingChannels, timeEmbeddingNorm: timeEmbeddingNorm),
            crossAttentionDim: nil)
    }

    /// The google/ddpm-cifar10-32 configuration (35.7 M parameters), used by the benchmark with random weights.
    public static func ddpmCIFAR10() -> UNet2DConfiguration {
        let fields: [String: Any] = [
            "_class_name": "UNet2DModel", "act_fn": "silu", "attention_head_dim": NSNull(),
            "block_out_channels": [128, 256, 256, 256], "center_input_sample": false,
            "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
            "downsample_padding": 0, "flip_sin_to_cos": false, "freq_shift": 1, "in_channels": 3,
            "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-6, "norm_num_groups": 32,
            "out_channels": 3, "sample_size": 32, "time_embedding_type": "positional",
            "up_block_types": ["UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"],
        ]
        // The literal above is valid by construction.
        return try! UNet2DConfiguration(DiffusersConfig(fields: fields, url: URL(fileURLWithPath: "ddpm-cifar10-32/config.json")))
    }
}
