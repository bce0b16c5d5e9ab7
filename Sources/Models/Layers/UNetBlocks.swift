import Compute

/// A UNet encoder level (diffusers' DownBlock2D, AttnDownBlock2D, CrossAttnDownBlock2D, DownEncoderBlock2D):
/// resnet blocks, each optionally followed by a spatial mixer, then an optional stride-2 downsampler.
/// Returns its output and the skip connections it contributes (after every layer and after downsampling).
struct UNetDownBlock {
    let resnets: [ResnetBlock2D]
    let mixers: [any SpatialMixer]
    let downsampler: Downsample2D?

    /// `mixer(loader, channels)` builds the layer stored under `attentions.i` (nil: a block without them).
    init(_ p: ParameterLoader, inChannels: Int, outChannels: Int, layers: Int, settings: ResnetSettings,
         downsamplePadding: Int?, mixer: ((ParameterLoader, Int) throws -> any SpatialMixer)?) throws {
        resnets = try (0..<layers).map { i in
            try ResnetBlock2D(p.scoped("resnets.\(i)"), inChannels: i == 0 ? inChannels : outChannels,
                              outChannels: outChannels, settings: settings)
        }
        mixers = try mixer.map { make in try (0..<layers).map { try make(p.scoped("attentions.\($0)"), outChannels) } } ?? []
        downsampler = try downsamplePadding.map {
            try Downsample2D(p.scoped("downsamplers.0"), channels: outChannels, padding: $0)
        }
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor?, context: Tensor?) -> (Tensor, [Tensor]) {
        var h = x
        var skips: [Tensor] = []
        for (i, resnet) in resnets.enumerated() {
            h = resnet(h, temb)
            if !mixers.isEmpty { h = mixers[i](h, context: context) }
            skips.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}

/// A UNet decoder level (UpBlock2D, AttnUpBlock2D, CrossAttnUpBlock2D, UpDecoderBlock2D): each resnet takes
/// the running tensor concatenated (channels) with the most recent unused skip connection; then an optional
/// mixer; then an optional nearest-×2 upsampler. With no skips (the VAE decoder) nothing is concatenated.
struct UNetUpBlock {
    let resnets: [ResnetBlock2D]
    let mixers: [any SpatialMixer]
    let upsampler: Upsample2D?

    /// `skipChannels[i]` is the width of the skip resnet i consumes (empty for the VAE decoder).
    init(_ p: ParameterLoader, inChannels: Int, outChannels: Int, skipChannels: [Int], layers: Int,
         settings: ResnetSettings, addUpsample: Bool, mixer: ((ParameterLoader, Int) throws -> any SpatialMixer)?) throws {
        resnets = try (0..<layers).map { i in
            let input = (i == 0 ? inChannels : outChannels) + (skipChannels.isEmpty ? 0 : skipChannels[i])
            return try ResnetBlock2D(p.scoped("resnets.\(i)"), inChannels: input, outChannels: outChannels, settings: settings)
        }
        mixers = try mixer.map { make in try (0..<layers).map { try make(p.scoped("attentions.\($0)"), outChannels) } } ?? []
        upsampler = addUpsample ? try Upsample2D(p.scoped("upsamplers.0"), channels: outChannels) : nil
    }

    func callAsFunction(_ x: Tensor, skips: inout [Tensor], _ temb: Tensor?, context: Tensor?, usesSkips: Bool = true) -> Tensor {
        var h = x
        for (i, resnet) in resnets.enumerated() {
            if usesSkips { h = x.backend.concat([h, skips.removeLast()], axis: 1) }
            h = resnet(h, temb)
            if !mixers.isEmpty { h = mixers[i](h, context: context) }
        }
        return upsampler.map { $0(h) } ?? h
    }
}

/// The UNet's middle (UNetMidBlock2D, UNetMidBlock2DCrossAttn): resnet, then (mixer, resnet) per layer.
struct UNetMidBlock {
    let resnets: [ResnetBlock2D]
    let mixers: [any SpatialMixer]

    init(_ p: ParameterLoader, channels: Int, layers: Int = 1, settings: ResnetSettings,
         mixer: ((ParameterLoader, Int) throws -> any SpatialMixer)?) throws {
        resnets = try (0...layers).map { try ResnetBlock2D(p.scoped("resnets.\($0)"), inChannels: channels, outChannels: channels, settings: settings) }
        mixers = try mixer.map { make in try (0..<layers).map { try make(p.scoped("attentions.\($0)"), channels) } } ?? []
    }

    func callAsFunction(_ x: Tensor, _ temb: Tensor?, context: Tensor?) -> Tensor {
        var h = resnets[0](x, temb)
        for (i, resnet) in resnets.dropFirst().enumerated() {
            if !mixers.isEmpty { h = mixers[i](h, context: context) }
            h = resnet(h, temb)
        }
        return h
    }
}
