import Compute
import Foundation
import Tensors

/// diffusers' AutoencoderKL (Stable Diffusion's VAE) on `Backend` ops: the encoder up to the posterior mean,
/// and the decoder. Both work on *unscaled* latents; multiply by `scalingFactor` for the UNet's space.
///
/// Every encode and decode follows a plan (`AutoencoderKLPlan`) that keeps each buffer inside the backend's
/// largest tensor: the batch whole, one image at a time, or overlapping tiles blended linearly as diffusers'
/// `enable_tiling()` does. Tiled results differ slightly from untiled ones (each tile's GroupNorm statistics are
/// its own), exactly as they do in diffusers.
public final class AutoencoderKL {
    public let configuration: AutoencoderKLConfiguration
    public let backend: any Backend
    /// Tile side in latent pixels (a multiple of 4) for inputs larger than one tile, as diffusers'
    /// `tile_latent_min_size` (the image tile is this times the downsampling factor); nil chooses from the
    /// backend's limit and tiles only when running an image whole would not fit.
    public var tileLatentSize: Int?
    /// Called with each plan that splits the work (per image or in tiles), before it runs: where a command
    /// tells the user once that its images are tiled.
    public var planObserver: ((AutoencoderKLPlan) -> Void)?

    let encoderIn: Conv2d
    let encoderDown: [UNetDownBlock]
    let encoderMid: UNetMidBlock
    let encoderNormOut: GroupNorm
    let encoderOut: Conv2d
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?
    let decoderIn: Conv2d
    let decoderMid: UNetMidBlock
    let decoderUp: [UNetUpBlock]
    let decoderNormOut: GroupNorm
    let decoderOut: Conv2d

    public var scalingFactor: Double { configuration.scalingFactor }

    /// `precision`: how the convolution and attention weights are stored; pipelines keep the VAE in fp32
    /// (diffusers' `force_upcast`: VAEs overflow in fp16), only `belm forward` asks for fp16 here.
    public init(configuration c: AutoencoderKLConfiguration, weights: any WeightSource, backend: any Backend,
                precision: Precision = .standard) throws {
        configuration = c
        self.backend = backend
        let p = ParameterLoader(source: weights, backend: backend, precision: precision)
        let channels = c.blockOutChannels, latent = c.latentChannels
        // The VAE's norms all use eps 1e-6 and its resnets take no time embedding.
        let settings = ResnetSettings(groups: c.normGroups, eps: 1e-6, timeEmbeddingChannels: nil)
        let midAttention: ((ParameterLoader, Int) throws -> any SpatialMixer)? = c.midBlockAttention ? { loader, width in
            try SpatialSelfAttention(loader, channels: width, headDim: width, normGroups: c.normGroups, eps: 1e-6, rescaleOutputFactor: 1)
        } : nil

        let encoder = p.scoped("encoder")
        encoderIn = try Conv2d(encoder.scoped("conv_in"), inChannels: c.inChannels, outChannels: channels[0], kernel: 3, padding: 1)
        encoderDown = try channels.indices.map { i in
            try UNetDownBlock(encoder.scoped("down_blocks.\(i)"), inChannels: i == 0 ? channels[0] : channels[i - 1],
                              outChannels: channels[i], layers: c.layersPerBlock, settings: settings,
                              downsamplePadding: i == channels.count - 1 ? nil : 0, mixer: nil)
        }
        encoderMid = try UNetMidBlock(encoder.scoped("mid_block"), channels: channels.last!, settings: settings, mixer: midAttention)
        encoderNormOut = try GroupNorm(encoder.scoped("conv_norm_out"), channels: channels.last!, groups: c.normGroups, eps: 1e-6)
        encoderOut = try Conv2d(encoder.scoped("conv_out"), inChannels: channels.last!, outChannels: 2 * latent, kernel: 3, padding: 1)
        quantConv = c.useQuantConv ? try Conv2d(p.scoped("quant_conv"), inChannels: 2 * latent, outChannels: 2 * latent, kernel: 1, padding: 0) : nil
        postQuantConv = c.usePostQuantConv ? try Conv2d(p.scoped("post_quant_conv"), inChannels: latent, outChannels: latent, kernel: 1, padding: 0) : nil

        let decoder = p.scoped("decoder")
        let reversed = Array(channels.reversed())
        decoderIn = try Conv2d(decoder.scoped("conv_in"), inChannels: latent, outChannels: reversed[0], kernel: 3, padding: 1)
        decoderMid = try UNetMidBlock(decoder.scoped("mid_block"), channels: reversed[0], settings: settings, mixer: midAttention)
        decoderUp = try reversed.indices.map { i in
            try UNetUpBlock(decoder.scoped("up_blocks.\(i)"), inChannels: i == 0 ? reversed[0] : reversed[i - 1],
                            outChannels: reversed[i], skipChannels: [], layers: c.layersPerBlock + 1, settings: settings,
                            addUpsample: i < reversed.count - 1, mixer: nil)
        }
        decoderNormOut = try GroupNorm(decoder.scoped("conv_norm_out"), channels: channels[0], groups: c.normGroups, eps: 1e-6)
        decoderOut = try Conv2d(decoder.scoped("conv_out"), inChannels: channels[0], outChannels: c.outChannels, kernel: 3, padding: 1)

        try weights.requireEverythingUsed()
    }

    /// Loads `vae/` of a pipeline folder, or a folder holding the VAE's config.json and safetensors.
    public convenience init(folder: DiffusersFolder, backend: any Backend, precision: Precision = .standard) throws {
        let component = try folder.componentFolder("vae")
        let config = try DiffusersConfig(contentsOf: component.appendingPathComponent("config.json"))
        let weights = try SafetensorsWeights(contentsOf: DiffusersFolder.weightsFile(in: component))
        try self.init(configuration: AutoencoderKLConfiguration(config), weights: weights, backend: backend, precision: precision)
    }

    /// The posterior mean (unscaled) of images in [-1, 1]: [B, in, H, W] → [B, latent, H/f, W/f].
    public func encodeMean(_ image: Tensor) throws -> Tensor {
        backend.slice(try moments(image), axis: 1, range: 0..<configuration.latentChannels)
    }

    /// A draw from the posterior (unscaled): mean + σ·noise with σ = exp(½·clamp(log-variance, −30, 20)), as
    /// diffusers' DiagonalGaussianDistribution. The caller supplies the noise, so a seed there fixes the draw.
    public func encodeSample(_ image: Tensor, noise: Tensor) throws -> Tensor {
        let latent = configuration.latentChannels
        let both = try moments(image)
        guard noise.shape == [both.shape[0], latent, both.shape[2], both.shape[3]] else {
            throw ModelInputError("noise", "has shape \(noise.shape); the posterior of these images is [\(both.shape[0]), \(latent), \(both.shape[2]), \(both.shape[3])]")
        }
        let mean = backend.slice(both, axis: 1, range: 0..<latent)
        // exp is not a backend op; the log-variance is small, and this runs once per image, so it is done here.
        let logVariance = backend.slice(both, axis: 1, range: latent..<(2 * latent))
        let sigma = logVariance.values().map { Float(exp(0.5 * Double(min(max($0, -30), 20)))) }
        return backend.add(mean, backend.multiply(backend.tensor(sigma, shape: logVariance.shape), noise))
    }

    /// The encoder's output after quant_conv: mean and log-variance stacked on the channel axis, run by plan.
    func moments(_ image: Tensor) throws -> Tensor {
        let c = configuration, f = configuration.downsamplingFactor
        guard image.rank == 4, image.shape[1] == c.inChannels, image.shape[2] % f == 0, image.shape[3] % f == 0, image.shape[2] > 0, image.shape[3] > 0 else {
            throw ModelInputError("sample", "has shape \(image.shape); the VAE encoder takes [batch, \(c.inChannels), height, width] with sides multiples of \(f)")
        }
        let plan = try encodePlan(batch: image.shape[0], imageHeight: image.shape[2], imageWidth: image.shape[3])
        // diffusers' _tiled_encode: image tiles of tile·f pixels; the latent overlaps by a quarter tile.
        return try run(plan, on: image, whole: wholeMoments) { images, tile in
            try self.tiled(images, inputTile: tile * f, blendExtent: tile / 4, keep: tile - tile / 4, run: self.wholeMoments)
        }
    }

    /// The encoder on images run whole.
    func wholeMoments(_ image: Tensor) throws -> Tensor {
        var h = encoderIn(image)
        for block in encoderDown { h = block(h, nil, context: nil).0 }
        h = encoderOut(encoderNormOut(encoderMid(h, nil, context: nil), silu: true))
        return quantConv.map { $0(h) } ?? h
    }

    /// Images (about [-1, 1]) from unscaled latents: [B, latent, h, w] → [B, out, h·f, w·f].
    public func decode(_ latent: Tensor) throws -> Tensor {
        let c = configuration
        guard latent.rank == 4, latent.shape[1] == c.latentChannels, latent.shape[2] > 0, latent.shape[3] > 0 else {
            throw ModelInputError("latent", "has shape \(latent.shape); the VAE decoder takes [batch, \(c.latentChannels), height, width]")
        }
        let plan = try decodePlan(batch: latent.shape[0], latentHeight: latent.shape[2], latentWidth: latent.shape[3])
        let f = configuration.downsamplingFactor
        // diffusers' tiled_decode: latent tiles; the images overlap by a quarter of the image tile.
        return try run(plan, on: latent, whole: wholeDecode) { latents, tile in
            try self.tiled(latents, inputTile: tile, blendExtent: tile * f / 4, keep: tile * f - tile * f / 4, run: self.wholeDecode)
        }
    }

    /// The decoder on latents run whole.
    func wholeDecode(_ latent: Tensor) throws -> Tensor {
        var h = decoderIn(postQuantConv.map { $0(latent) } ?? latent)
        h = decoderMid(h, nil, context: nil)
        var noSkips: [Tensor] = []
        for block in decoderUp { h = block(h, skips: &noSkips, nil, context: nil, usesSkips: false) }
        return decoderOut(decoderNormOut(h, silu: true))
    }
}
