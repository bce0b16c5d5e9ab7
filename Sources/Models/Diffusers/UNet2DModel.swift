import Compute
import Diffusion
import Foundation
import Tensors

/// A denoising network in diffusers' calling convention: the raw model output for a batch, one timestep per
/// sample (or one for all). What the output means (ε, v or x₀) is the checkpoint's prediction type.
public protocol DiffusionUNet: AnyObject {
    var backend: any Backend { get }
    /// `sample` [B, C, H, W]; `timesteps` holds B values or one shared by the batch.
    func forward(_ sample: Tensor, timesteps: [Double], conditioning: Conditioning) throws -> Tensor
}

/// diffusers' UNet2DModel (the DDPM family: google/ddpm-cifar10-32, ddpm-celebahq-256, class-conditional
/// models), written with `Backend` ops only. Parameters are uploaded once, when the model is built.
public final class UNet2DModel: DiffusionUNet {
    public let configuration: UNet2DConfiguration
    public let backend: any Backend

    let timeProjection: SinusoidalTimestepEmbedding
    let timeEmbedding: TimestepEmbeddingMLP
    let classEmbedding: Tensor?
    let convIn: Conv2d
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock?
    let upBlocks: [UNetUpBlock]
    let normOut: GroupNorm
    let convOut: Conv2d

    public init(configuration c: UNet2DConfiguration, weights: any WeightSource, backend: any Backend) throws {
        configuration = c
        self.backend = backend
        let p = ParameterLoader(source: weights, backend: backend)
        let channels = c.blockOutChannels
        let temb = c.timeEmbeddingChannels
        timeProjection = SinusoidalTimestepEmbedding(channels: channels[0], flipSinToCos: c.flipSinToCos, frequencyShift: c.freqShift)
        timeEmbedding = try TimestepEmbeddingMLP(p.scoped("time_embedding"), inChannels: channels[0], embeddingChannels: temb)
        classEmbedding = try c.numClassEmbeds.map { try p("class_embedding.weight", [$0, temb]) }
        convIn = try Conv2d(p.scoped("conv_in"), inChannels: c.inChannels, outChannels: channels[0], kernel: 3, padding: 1)

        let settings = ResnetSettings(groups: c.normGroups, eps: c.normEps, timeEmbeddingChannels: temb,
                                      timeEmbeddingNorm: c.timeEmbeddingNorm)
        func selfAttention(normGroups: Int?, rescale: Double) -> (ParameterLoader, Int) throws -> any SpatialMixer {
            { loader, width in
                try SpatialSelfAttention(loader, channels: width, headDim: c.attentionHeadDim(channels: width),
                                         normGroups: normGroups, eps: c.normEps, rescaleOutputFactor: rescale)
            }
        }

        // Skip connections, in the order the encoder produces them: conv_in, then each level's layers.
        var skipChannels = [channels[0]]
        var down: [UNetDownBlock] = []
        for (i, attention) in c.downBlockAttention.enumerated() {
            let isLast = i == channels.count - 1
            down.append(try UNetDownBlock(
                p.scoped("down_blocks.\(i)"), inChannels: i == 0 ? channels[0] : channels[i - 1], outChannels: channels[i],
                layers: c.layersPerBlock, settings: settings, downsamplePadding: isLast ? nil : c.downsamplePadding,
                mixer: attention ? selfAttention(normGroups: c.normGroups, rescale: 1) : nil))
            skipChannels += [Int](repeating: channels[i], count: c.layersPerBlock + (isLast ? 0 : 1))
        }
        downBlocks = down

        if c.hasMidBlock {
            var midSettings = settings
            midSettings.outputScaleFactor = c.midBlockScaleFactor
            // diffusers gives the mid-block attention a group norm only with default resnets, unless told.
            let groups = c.attentionNormGroups ?? (c.timeEmbeddingNorm == .default ? c.normGroups : nil)
            midBlock = try UNetMidBlock(p.scoped("mid_block"), channels: channels.last!, settings: midSettings,
                                        mixer: c.midBlockAttention ? selfAttention(normGroups: groups, rescale: c.midBlockScaleFactor) : nil)
        } else {
            midBlock = nil
        }

        var up: [UNetUpBlock] = []
        let reversed = Array(channels.reversed())
        for (i, attention) in c.upBlockAttention.enumerated() {
            let layers = c.layersPerBlock + 1
            let consumed = Array(skipChannels.suffix(layers).reversed())
            skipChannels.removeLast(layers)
            up.append(try UNetUpBlock(
                p.scoped("up_blocks.\(i)"), inChannels: i == 0 ? reversed[0] : reversed[i - 1], outChannels: reversed[i],
                skipChannels: consumed, layers: layers, settings: settings, addUpsample: i < channels.count - 1,
                mixer: attention ? selfAttention(normGroups: c.normGroups, rescale: 1) : nil))
        }
        upBlocks = up
        normOut = try GroupNorm(p.scoped("conv_norm_out"), channels: channels[0], groups: c.normGroups, eps: c.normEps)
        convOut = try Conv2d(p.scoped("conv_out"), inChannels: channels[0], outChannels: c.outChannels, kernel: 3, padding: 1)

        let unused = weights.unusedNames()
        if !unused.isEmpty, let file = (weights as? SafetensorsWeights)?.file {
            throw TensorFileError(file.url, "holds \(unused.count) tensors the config.json does not call for (\(unused.prefix(4).joined(separator: ", "))\(unused.count > 4 ? ", …" : "")); the weights do not belong to this config")
        }
    }

    /// Loads `unet/` of a pipeline folder, or a folder holding the UNet's config.json and safetensors.
    public convenience init(folder: DiffusersFolder, backend: any Backend) throws {
        let component = try folder.componentFolder("unet")
        let config = try DiffusersConfig(contentsOf: component.appendingPathComponent("config.json"))
        let weights = try SafetensorsWeights(contentsOf: DiffusersFolder.weightsFile(in: component))
        try self.init(configuration: UNet2DConfiguration(config), weights: weights, backend: backend)
    }

    public func forward(_ sample: Tensor, timesteps: [Double], conditioning: Conditioning) throws -> Tensor {
        let c = configuration
        guard sample.rank == 4, sample.shape[1] == c.inChannels else {
            throw ModelInputError("sample", "has shape \(sample.shape); the model takes [batch, \(c.inChannels), height, width]")
        }
        let batch = sample.shape[0]
        let factor = 1 << (c.blockOutChannels.count - 1)
        guard sample.shape[2] % factor == 0, sample.shape[3] % factor == 0, sample.shape[2] > 0, sample.shape[3] > 0 else {
            throw ModelInputError("sample", "is \(sample.shape[2])×\(sample.shape[3]); height and width must be multiples of \(factor) for this model's \(c.blockOutChannels.count) levels")
        }
        guard timesteps.count == 1 || timesteps.count == batch else {
            throw ModelInputError("timestep", "holds \(timesteps.count) values for a batch of \(batch); give one, or one per sample")
        }

        var x = sample
        if c.centerInputSample {
            x = backend.add(backend.scaled(x, by: 2), backend.tensor([-1], shape: [1]))
        }
        let perSample = timesteps.count == 1 ? [Double](repeating: timesteps[0], count: batch) : timesteps
        var emb = timeEmbedding(backend.tensor(timeProjection(perSample)))
        switch conditioning {
        case .unconditional:
            if classEmbedding != nil {
                throw ModelInputError("class_labels", "is missing; this model is class-conditional (\(c.numClassEmbeds!) classes)")
            }
        case .classes(let labels):
            guard let classEmbedding else {
                throw ModelInputError("class_labels", "is given, but this model has no class embedding (num_class_embeds is not set)")
            }
            guard labels.count == batch else {
                throw ModelInputError("class_labels", "holds \(labels.count) labels for a batch of \(batch)")
            }
            if let bad = labels.first(where: { $0 < 0 || $0 >= c.numClassEmbeds! }) {
                throw ModelInputError("class_labels", "contains \(bad); this model's classes are 0..<\(c.numClassEmbeds!)")
            }
            emb = backend.add(emb, backend.embedding(classEmbedding, indices: labels))
        case .text:
            throw ModelInputError("encoder_hidden_states", "is given, but UNet2DModel takes no text conditioning")
        }
        // Every resnet applies SiLU to the embedding before its projection; do it once.
        let temb = backend.activation(emb, .silu)

        var h = convIn(x)
        var skips = [h]
        for block in downBlocks {
            let (out, blockSkips) = block(h, temb, context: nil)
            h = out
            skips += blockSkips
        }
        if let midBlock { h = midBlock(h, temb, context: nil) }
        for block in upBlocks { h = block(h, skips: &skips, temb, context: nil) }
        return convOut(normOut(h, silu: true))
    }
}
