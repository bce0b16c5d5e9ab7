import Foundation
import Tensors

/// A diffusers AutoencoderKL `config.json` (Stable Diffusion's VAE), validated.
public struct AutoencoderKLConfiguration: Sendable {
    public var inChannels: Int
    public var outChannels: Int
    public var latentChannels: Int
    public var blockOutChannels: [Int]
    public var layersPerBlock: Int
    public var normGroups: Int
    /// Multiplies the posterior mean to give the UNet's latents (0.18215 for SD1.x); `belm forward` works unscaled.
    public var scalingFactor: Double
    public var useQuantConv: Bool
    public var usePostQuantConv: Bool
    public var midBlockAttention: Bool
    /// `force_upcast`: the VAE overflows in float16 (SD 1.x's and SDXL's do), so it runs in float32 whatever
    /// precision the UNet runs in. belm's VAE keeps float32 activations in every case (fp16 weights at most, in
    /// `belm forward`/`bench` of the VAE); reduced-precision paths read this.
    public var forceUpcast: Bool

    static let knownFields: Set<String> = [
        "in_channels", "out_channels", "down_block_types", "up_block_types", "block_out_channels", "layers_per_block",
        "act_fn", "latent_channels", "norm_num_groups", "sample_size", "scaling_factor", "shift_factor",
        "latents_mean", "latents_std", "force_upcast", "use_quant_conv", "use_post_quant_conv", "mid_block_add_attention",
    ]

    public init(_ config: DiffusersConfig) throws {
        try config.expectClass(["AutoencoderKL"])
        try config.rejectUnknownFields(known: Self.knownFields)
        inChannels = try config.int("in_channels", default: 3, in: ModelSizeLimits.channels)
        outChannels = try config.int("out_channels", default: 3, in: ModelSizeLimits.channels)
        latentChannels = try config.int("latent_channels", default: 4, in: ModelSizeLimits.channels)
        blockOutChannels = try config.ints("block_out_channels", default: [64], count: ModelSizeLimits.levels, each: ModelSizeLimits.channels)
        let levels = blockOutChannels.count
        for (key, name) in [("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D")] {
            let types = try config.strings(key, default: [name])
            guard types.count == levels else { throw config.error(key, "has \(types.count) entries for \(levels) block_out_channels") }
            if let other = types.first(where: { $0 != name }) {
                throw config.error(key, "contains \"\(other)\", a block type belm does not implement; supported: \"\(name)\"")
            }
        }
        layersPerBlock = try config.int("layers_per_block", default: 1, in: ModelSizeLimits.layersPerBlock)
        _ = try config.choice("act_fn", ["silu", "swish"], default: "silu")
        normGroups = try config.int("norm_num_groups", default: 32, in: ModelSizeLimits.groupsOrHeads)
        for channels in blockOutChannels where channels % normGroups != 0 {
            throw config.error("norm_num_groups", "is \(normGroups), which does not divide block_out_channels entry \(channels)")
        }
        scalingFactor = try config.positiveDouble("scaling_factor", default: 0.18215, hint: "the latents are divided by it; SD1.x uses 0.18215")
        try config.requireDefault("shift_factor", Optional<Double>.none)
        try config.requireDefault("latents_mean", Optional<Double>.none)
        try config.requireDefault("latents_std", Optional<Double>.none)
        forceUpcast = try config.bool("force_upcast", default: true)  // pipelines keep the VAE in fp32 at any --precision
        useQuantConv = try config.bool("use_quant_conv", default: true)
        usePostQuantConv = try config.bool("use_post_quant_conv", default: true)
        midBlockAttention = try config.bool("mid_block_add_attention", default: true)
    }

    /// runwayml/stable-diffusion-v1-5's vae/config.json (84 M parameters), for benchmarks with random weights.
    public static func stableDiffusion15() -> AutoencoderKLConfiguration {
        let fields: [String: Any] = [
            "_class_name": "AutoencoderKL", "act_fn": "silu", "block_out_channels": [128, 256, 512, 512],
            "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
            "in_channels": 3, "latent_channels": 4, "layers_per_block": 2, "norm_num_groups": 32, "out_channels": 3,
            "sample_size": 512, "scaling_factor": 0.18215,
            "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
        ]
        // The literal above is valid by construction.
        return try! AutoencoderKLConfiguration(DiffusersConfig(fields: fields, url: URL(fileURLWithPath: "stable-diffusion-v1-5/vae/config.json")))
    }
}
