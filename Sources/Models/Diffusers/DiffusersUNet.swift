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

/// diffusers' class name for the DDPM-family UNet; one Swift class runs it and UNet2DConditionModel alike.
public typealias UNet2DModel = DiffusersUNet

/// A diffusers UNet — UNet2DModel (the DDPM family: google/ddpm-cifar10-32, ddpm-celebahq-256,
/// class-conditional models) or UNet2DConditionModel (Stable Diffusion) — written with `Backend` ops only.
/// Parameters are uploaded once, when the model is built.
public final class DiffusersUNet: DiffusionUNet {
    let architecture: UNetArchitecture
    public let backend: any Backend
    /// What the linear and convolution weights and the activations are stored in. At fp16 the inputs (sample,
    /// timestep embedding, text states) are converted to fp16 on entry and the output back to fp32, so samplers
    /// see fp32 as at fp32.
    public let precision: Precision

    let timeEmbedding: TimestepEmbeddingMLP
    let classEmbedding: Tensor?
    /// SDXL's `add_embedding` (linear_1, SiLU, linear_2) over the pooled text and the time ids' embeddings.
    let addEmbedding: TimestepEmbeddingMLP?
    let convIn: Conv2d
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock?
    let upBlocks: [UNetUpBlock]
    let normOut: GroupNorm
    let convOut: Conv2d

    public convenience init(configuration: UNet2DConfiguration, weights: any WeightSource, backend: any Backend,
                            precision: Precision = .standard) throws {
        try self.init(architecture: configuration.architecture, weights: weights, backend: backend, precision: precision)
    }

    public convenience init(configuration: UNet2DConditionConfiguration, weights: any WeightSource, backend: any Backend,
                            precision: Precision = .standard) throws {
        try self.init(architecture: configuration.architecture, weights: weights, backend: backend, precision: precision)
    }

    /// Channels of the samples the model takes (3 for pixel models, 4 for SD latents).
    public var sampleChannels: Int { architecture.inChannels }
    /// Width of the text embeddings it attends to; nil for models without cross-attention.
    public var crossAttentionDim: Int? { architecture.crossAttentionDim }
    /// Rows of the class embedding (num_class_embeds); nil for models without class conditioning.
    public var classEmbeddingCount: Int? { architecture.numClassEmbeds }
    /// SDXL's added text_time embedding settings; nil for UNets that take the text states alone.
    public var textTimeEmbedding: TextTimeEmbeddingSettings? { architecture.textTime?.settings }
    /// Levels of the UNet; height and width must be multiples of 2^(levels − 1).
    public var levelCount: Int { architecture.blockOutChannels.count }

    /// `precision`: how the linear and convolution weights (`ParameterLoader`) and the activations are stored.
    init(architecture a: UNetArchitecture, weights: any WeightSource, backend: any Backend, precision: Precision = .standard) throws {
        architecture = a
        self.backend = backend
        self.precision = precision
        let p = ParameterLoader(source: weights, backend: backend, precision: precision)
        let channels = a.blockOutChannels
        let temb = a.timeEmbeddingChannels
        timeEmbedding = try TimestepEmbeddingMLP(p.scoped("time_embedding"), inChannels: a.timeProjection.channels, embeddingChannels: temb)
        classEmbedding = try a.numClassEmbeds.map { try p("class_embedding.weight", [$0, temb]) }
        addEmbedding = try a.textTime.map {
            try TimestepEmbeddingMLP(p.scoped("add_embedding"), inChannels: $0.settings.inputChannels, embeddingChannels: temb)
        }
        convIn = try Conv2d(p.scoped("conv_in"), inChannels: a.inChannels, outChannels: channels[0], kernel: 3, padding: 1)

        func mixer(_ kind: UNetArchitecture.Mixer?) -> ((ParameterLoader, Int) throws -> any SpatialMixer)? {
            guard let kind else { return nil }
            return { loader, width in
                switch kind {
                case let .selfAttention(headDim, normGroups, eps, rescale):
                    return try SpatialSelfAttention(loader, channels: width, headDim: headDim ?? width, normGroups: normGroups,
                                                    eps: eps, rescaleOutputFactor: rescale)
                case let .transformer(settings):
                    return try Transformer2D(loader, channels: width, settings: settings)
                }
            }
        }

        // Skip connections, in the order the encoder produces them: conv_in, then each level's layers.
        var skipChannels = [channels[0]]
        var down: [UNetDownBlock] = []
        for i in channels.indices {
            let isLast = i == channels.count - 1
            down.append(try UNetDownBlock(
                p.scoped("down_blocks.\(i)"), inChannels: i == 0 ? channels[0] : channels[i - 1], outChannels: channels[i],
                layers: a.layersPerBlock[i], settings: a.resnet, downsamplePadding: isLast ? nil : a.downsamplePadding,
                mixer: mixer(a.downMixers[i])))
            skipChannels += [Int](repeating: channels[i], count: a.layersPerBlock[i] + (isLast ? 0 : 1))
        }
        downBlocks = down

        if a.hasMidBlock {
            var midSettings = a.resnet
            midSettings.outputScaleFactor = a.midBlockScaleFactor
            midBlock = try UNetMidBlock(p.scoped("mid_block"), channels: channels.last!, settings: midSettings, mixer: mixer(a.midMixer))
        } else {
            midBlock = nil
        }

        var up: [UNetUpBlock] = []
        let reversed = Array(channels.reversed())
        let reversedLayers = Array(a.layersPerBlock.reversed())
        for i in reversed.indices {
            let layers = reversedLayers[i] + 1
            let consumed = Array(skipChannels.suffix(layers).reversed())
            skipChannels.removeLast(layers)
            up.append(try UNetUpBlock(
                p.scoped("up_blocks.\(i)"), inChannels: i == 0 ? reversed[0] : reversed[i - 1], outChannels: reversed[i],
                skipChannels: consumed, layers: layers, settings: a.resnet, addUpsample: i < channels.count - 1,
                mixer: mixer(a.upMixers[i])))
        }
        upBlocks = up
        normOut = try GroupNorm(p.scoped("conv_norm_out"), channels: channels[0], groups: a.resnet.groups, eps: a.resnet.eps)
        convOut = try Conv2d(p.scoped("conv_out"), inChannels: channels[0], outChannels: a.outChannels, kernel: 3, padding: 1)

        try weights.requireEverythingUsed()
    }

    /// Loads `unet/` of a pipeline folder, or a folder holding the UNet's config.json and safetensors.
    public convenience init(folder: DiffusersFolder, backend: any Backend, precision: Precision = .standard) throws {
        let component = try folder.componentFolder("unet")
        let configURL = component.appendingPathComponent("config.json")
        let config = try DiffusersConfig(contentsOf: configURL)
        let architecture: UNetArchitecture
        switch config.fields["_class_name"] as? String ?? "UNet2DModel" {
        case "UNet2DModel": architecture = try UNet2DConfiguration(config).architecture
        case "UNet2DConditionModel": architecture = try UNet2DConditionConfiguration(config).architecture
        case let other:
            throw TensorFileError(configURL, "field \"_class_name\" is \"\(other)\"; belm runs UNet2DModel and UNet2DConditionModel checkpoints")
        }
        let weights = try SafetensorsWeights(contentsOf: DiffusersFolder.weightsFile(in: component))
        try self.init(architecture: architecture, weights: weights, backend: backend, precision: precision)
    }

    /// Refuses a forward pass whose largest buffer (`bytes`, from `largestBufferBytes`) the backend cannot bind,
    /// or that is larger than this machine's memory (`hostMemory`): the CPU backend binds any size, and would
    /// otherwise abort in malloc. Both errors say the size and the limit.
    static func checkLargestBuffer(_ bytes: Int, batch: Int, height: Int, width: Int, backend: any Backend,
                                   hostMemory: Int = BufferSize.hostMemoryBytes) throws {
        let size = "a batch of \(batch) at \(width)×\(height)"
        guard bytes <= backend.maxTensorBytes else {
            throw ModelInputError("sample", "\(size) needs \(BufferSize.mebibytes(bytes)) buffers; "
                                  + "\(backend.name) binds \(BufferSize.mebibytes(backend.maxTensorBytes)) per tensor: use a smaller batch")
        }
        guard bytes <= hostMemory else {
            throw ModelInputError("sample", "\(size) needs \(BufferSize.mebibytes(bytes)) for its largest buffer alone; "
                                  + "this machine has \(BufferSize.mebibytes(hostMemory)) of memory: use a smaller batch or sample size")
        }
    }

    public func forward(_ sample: Tensor, timesteps: [Double], conditioning: Conditioning) throws -> Tensor {
        let a = architecture
        guard sample.rank == 4, sample.shape[1] == a.inChannels else {
            throw ModelInputError("sample", "has shape \(sample.shape); the model takes [batch, \(a.inChannels), height, width]")
        }
        let batch = sample.shape[0]
        let factor = 1 << (a.blockOutChannels.count - 1)
        guard sample.shape[2] % factor == 0, sample.shape[3] % factor == 0, sample.shape[2] > 0, sample.shape[3] > 0 else {
            throw ModelInputError("sample", "is \(sample.shape[2])×\(sample.shape[3]); height and width must be multiples of \(factor) for this model's \(a.blockOutChannels.count) levels")
        }
        guard timesteps.count == 1 || timesteps.count == batch else {
            throw ModelInputError("timestep", "holds \(timesteps.count) values for a batch of \(batch); give one, or one per sample")
        }
        let contextLength: Int
        switch conditioning {
        case .text(let states), .textAndAdded(let states, _, _): contextLength = states.rank == 3 ? states.shape[1] : 0
        case .unconditional, .classes: contextLength = 0
        }
        try Self.checkLargestBuffer(largestBufferBytes(batch: batch, height: sample.shape[2], width: sample.shape[3], contextLength: contextLength),
                                    batch: batch, height: sample.shape[2], width: sample.shape[3], backend: backend)

        var x = backend.stored(sample, as: precision)
        if a.centerInputSample {
            x = backend.add(backend.scaled(x, by: 2), backend.tensor([-1], shape: [1]))
        }
        let perSample = timesteps.count == 1 ? [Double](repeating: timesteps[0], count: batch) : timesteps
        var emb = timeEmbedding(backend.stored(backend.tensor(a.timeProjection(perSample)), as: precision))
        var context: Tensor?
        var labels: [Int]?
        var added: (pooled: Tensor, timeIDs: [Double])?
        switch conditioning {
        case .unconditional: break
        case .classes(let given): labels = given
        case .text(let states): context = backend.stored(states, as: precision)
        case let .textAndAdded(states, pooled, timeIDs):
            context = backend.stored(states, as: precision)
            added = (pooled, timeIDs)
        }
        if let classEmbedding {
            guard let labels else {
                throw ModelInputError("class_labels", "is missing; this model is class-conditional (\(a.numClassEmbeds!) classes)")
            }
            guard labels.count == batch else {
                throw ModelInputError("class_labels", "holds \(labels.count) labels for a batch of \(batch)")
            }
            if let bad = labels.first(where: { $0 < 0 || $0 >= a.numClassEmbeds! }) {
                throw ModelInputError("class_labels", "contains \(bad); this model's classes are 0..<\(a.numClassEmbeds!)")
            }
            emb = backend.add(emb, backend.embedding(classEmbedding, indices: labels))
        } else if labels != nil {
            throw ModelInputError("class_labels", "is given, but this model has no class embedding (num_class_embeds is not set)")
        }
        if let addEmbedding, let textTime = a.textTime {
            emb = backend.add(emb, addEmbedding(backend.stored(try textTimeInput(textTime, added, batch: batch), as: precision)))
        } else if added != nil {
            throw ModelInputError("added_cond_kwargs", "are given, but this UNet has no added embedding (its config.json sets no addition_embed_type)")
        }
        if let dim = a.crossAttentionDim {
            guard let states = context else {
                throw ModelInputError("encoder_hidden_states", "is missing; this \(a.className) attends to text embeddings [batch, tokens, \(dim)]")
            }
            guard states.rank == 3, states.shape[0] == batch, states.shape[2] == dim else {
                throw ModelInputError("encoder_hidden_states", "has shape \(states.shape); the model takes [\(batch), tokens, \(dim)]")
            }
        } else if context != nil {
            throw ModelInputError("encoder_hidden_states", "is given, but \(a.className) takes no text conditioning")
        }
        // Every resnet applies SiLU to the embedding before its projection; do it once.
        let temb = backend.activation(emb, .silu)

        var h = convIn(x)
        var skips = [h]
        for block in downBlocks {
            let (out, blockSkips) = block(h, temb, context: context)
            h = out
            skips += blockSkips
        }
        if let midBlock { h = midBlock(h, temb, context: context) }
        for block in upBlocks { h = block(h, skips: &skips, temb, context: context) }
        return backend.stored(convOut(normOut(h, silu: true)), as: .fp32)
    }

    /// `add_embedding`'s input [B, projection_class_embeddings_input_dim]: the pooled text embedding, then each time
    /// id's sinusoidal embedding, sample by sample — diffusers' `concat([text_embeds, add_time_proj(time_ids.flatten())
    /// .reshape(B, -1)])`. The time ids are host numbers; their embedding is made on the host, as the timesteps' is.
    private func textTimeInput(_ textTime: UNetArchitecture.TextTime, _ added: (pooled: Tensor, timeIDs: [Double])?, batch: Int) throws -> Tensor {
        let settings = textTime.settings
        guard let added else {
            throw ModelInputError("added_cond_kwargs", "are missing; this UNet (addition_embed_type text_time, SDXL) takes the pooled text embedding and the micro-conditioning time ids beside the text states")
        }
        guard added.pooled.rank == 2, added.pooled.shape[0] == batch else {
            throw ModelInputError("text_embeds", "has shape \(added.pooled.shape); the model takes [\(batch), pooled width]")
        }
        let pooledWidth = added.pooled.shape[1]
        guard added.timeIDs.count % batch == 0, !added.timeIDs.isEmpty,
              pooledWidth + added.timeIDs.count / batch * settings.timeIDChannels == settings.inputChannels else {
            throw ModelInputError("time_ids", "holds \(added.timeIDs.count) values for a batch of \(batch) beside a \(pooledWidth)-wide text_embeds; config.json's projection_class_embeddings_input_dim \(settings.inputChannels) needs \(pooledWidth) + (time ids per sample) × addition_time_embed_dim \(settings.timeIDChannels)")
        }
        let timeEmbeddings = textTime.timeIDProjection(added.timeIDs)
        let flattened = backend.tensor(timeEmbeddings.scalars, shape: [batch, timeEmbeddings.scalars.count / batch])
        return backend.concat([added.pooled, flattened], axis: 1)
    }
}
