import Compute
import Diffusion
import Foundation
import Models
import Tensors

/// What a sample is conditioned on, before the model turns it into network inputs.
public enum ExperimentCondition: Equatable, Sendable {
    /// The model's unconditional branch: no conditioning, the null class, or the empty prompt.
    case unconditional
    case label(Int)
    case prompt(String)
}

/// A model the experiments run, with what they need besides ε: its schedule, its sample shape, its class
/// names, how images map to the samplers' space and back, and (for the reference model) the real images
/// to invert. Either the embedded reference model (`builtin:shapes`, `gmm:DIR`), whose exact probability-flow
/// ODE solution also gives `ode_error`, or a diffusers folder (`DIR`, `builtin:shapes-unet`): a pixel-space
/// UNet2DModel, unconditional or class-conditional, or a Stable Diffusion pipeline (VAE latents, prompts).
public struct ExperimentModel {
    /// Which network gives ε: one or the other, so code that needs the mixture's exact density or a
    /// pipeline's parts switches over it and handles both.
    public enum Kind {
        /// The embedded reference model: ε* of a Gaussian mixture over a labelled image set.
        case reference(GaussianMixtureModel)
        /// A diffusers pipeline: a UNet, and for Stable Diffusion a VAE and a text encoder.
        case diffusers(DiffusersPipeline)
    }

    public init(name: String, mixture: GaussianMixtureModel, schedule: NoiseSchedule) {
        self.name = name
        self.kind = .reference(mixture)
        self.schedule = schedule
        self.predictor = mixture
        self.sampleShape = mixture.sampleShape
    }

    public init(name: String, pipeline: DiffusersPipeline, schedule: NoiseSchedule? = nil) throws {
        self.name = name
        self.kind = .diffusers(pipeline)
        pipeline.autoencoder?.reportSplitPlansOnStandardError()
        self.schedule = schedule ?? pipeline.schedule
        self.predictor = try pipeline.checkpoint.noisePredictor(schedule: self.schedule)
        self.sampleShape = [pipeline.unet.sampleChannels, pipeline.sampleSize, pipeline.sampleSize]
    }

    /// The `--model` value, as records name the model.
    public let name: String
    public let kind: Kind
    public let schedule: NoiseSchedule
    public let predictor: any NoisePredictor
    /// The shape of one state the samplers work on, [C, H, W]: pixels, or latents for Stable Diffusion.
    public let sampleShape: [Int]

    /// The diffusers pipeline; nil for the reference model.
    public var pipeline: DiffusersPipeline? {
        switch kind {
        case .reference: nil
        case .diffusers(let pipeline): pipeline
        }
    }

    /// The images a diffusers model was trained on, when belm ships them (`builtin:shapes-unet`: the built-in
    /// shapes set); they are its own image set.
    public var trainingImages: LabeledImageSet?
    /// The model's own image set: the reference model's, or the set a builtin UNet was trained on; nil for
    /// other diffusers models, which invert given images.
    public var imageSet: LabeledImageSet? {
        switch kind {
        case .reference(let mixture): mixture.images
        case .diffusers: trainingImages
        }
    }
    public var classNames: [String] {
        switch kind {
        case .reference(let mixture): mixture.classNames
        case .diffusers(let pipeline): pipeline.classNames
        }
    }
    /// The shape of one image, [C, H, W].
    public var imageShape: [Int] {
        switch kind {
        case .reference: sampleShape
        case .diffusers(let pipeline): [pipeline.imageChannels, pipeline.imageSize, pipeline.imageSize]
        }
    }
    /// Whether the samplers run on VAE latents rather than pixels.
    public var isLatent: Bool { pipeline?.autoencoder != nil }
    public var takesPrompts: Bool { pipeline?.promptEncoder != nil }

    /// Loads `--model`. `spread` is the mixture's component std (small: clean samples; 0.3: smooth ODE for
    /// order studies); `imageSize` resamples a `gmm:` folder's images to one square size. `schedule` is the
    /// reference model's (Stable Diffusion 1.5's when nil); a diffusers folder brings its own, which a
    /// `schedule` given here replaces; `spacing` overrides the timestep spacing of whichever schedule is used.
    /// `nullClass` overrides a folder's belm.json null class. `precision` is a diffusers model's UNet and text
    /// encoder weights' (its VAE stays fp32); the reference model is exact arithmetic and takes fp32 only.
    /// `microConditioning` sets a Stable Diffusion XL model's time ids; any other model refuses it.
    public static func load(_ argument: String, spread: Double = GaussianMixtureModel.defaultSpread,
                            schedule: NoiseSchedule? = nil, spacing: TimestepSpacing? = nil, imageSize: Int? = nil, nullClass: Int? = nil,
                            precision: Precision = .standard, microConditioning: MicroConditioningSettings = MicroConditioningSettings(),
                            locator: BuiltinModelLocator = .standard, backend: any Backend) throws -> ExperimentModel {
        try load(try ModelReference(parsing: argument), spread: spread, schedule: schedule, spacing: spacing, imageSize: imageSize,
                 nullClass: nullClass, precision: precision, microConditioning: microConditioning, locator: locator, backend: backend)
    }

    /// Loads a parsed model reference; see the `String` overload.
    public static func load(_ reference: ModelReference, spread: Double = GaussianMixtureModel.defaultSpread,
                            schedule: NoiseSchedule? = nil, spacing: TimestepSpacing? = nil, imageSize: Int? = nil, nullClass: Int? = nil,
                            precision: Precision = .standard, microConditioning: MicroConditioningSettings = MicroConditioningSettings(),
                            locator: BuiltinModelLocator = .standard, backend: any Backend) throws -> ExperimentModel {
        if let spacing {
            let given = try schedule ?? diffusersSchedule(reference, locator: locator)
            return try load(reference, spread: spread, schedule: given.with(spacing: spacing), imageSize: imageSize, nullClass: nullClass,
                            precision: precision, microConditioning: microConditioning, locator: locator, backend: backend)
        }
        let argument = reference.description
        if let folder = try reference.diffusersFolder(locator: locator) {
            let pipeline = try DiffusersPipeline(folder: folder, backend: backend, nullClass: nullClass, precision: precision,
                                                 microConditioning: microConditioning)
            if !pipeline.isSDXL { try refuseMicroConditioning(microConditioning, model: argument) }
            var model = try ExperimentModel(name: argument, pipeline: pipeline, schedule: schedule)
            // The shapes UNet was trained on the built-in set: reconstructions, interpolations and edits start from it.
            if reference == .builtinDiffusers(name: "shapes-unet") {
                let set = ShapesDataset.make()
                if set.imageShape == model.imageShape { model.trainingImages = set }
            }
            return model
        }
        guard let source = reference.referenceSource else { preconditionFailure("a model reference is a diffusers folder or the reference model") }
        if nullClass != nil { throw InvalidSetting(.nullClass, "applies to class-conditional diffusers models, not to the reference model \(argument)") }
        try refuseMicroConditioning(microConditioning, model: argument)
        guard precision == .fp32 else {
            throw ExperimentError("precision \(precision.rawValue) applies to diffusers models (their UNet and text encoder weights); the reference model \(argument) is computed exactly, in fp32 — use --precision fp32 (the default)")
        }
        guard spread > 0, spread.isFinite else { throw InvalidSetting(.spread, "must be positive, got \(spread)") }
        let schedule = schedule ?? .stableDiffusion15
        let mixture = GaussianMixtureModel(images: try source.loadImages(imageSize: imageSize), spread: spread,
                                           alphasCumprod: schedule.alphasCumprod, backend: backend)
        return ExperimentModel(name: argument, mixture: mixture, schedule: schedule)
    }

    /// Micro-conditioning set for a model that has none: refused naming the first part set.
    static func refuseMicroConditioning(_ settings: MicroConditioningSettings, model: String) throws {
        let set: [(ExperimentParameter, Bool)] = [(.originalSize, settings.originalSize != nil), (.cropTopLeft, settings.cropTopLeft != nil),
                                                  (.targetSize, settings.targetSize != nil)]
        guard let (parameter, _) = set.first(where: \.1) else { return }
        throw InvalidSetting(parameter, "applies to Stable Diffusion XL models (micro-conditioning time ids), not to \(model)")
    }

    /// The schedule a model brings: a diffusers folder's scheduler config, else Stable Diffusion 1.5's.
    static func diffusersSchedule(_ reference: ModelReference, locator: BuiltinModelLocator) throws -> NoiseSchedule {
        guard let folder = try reference.diffusersFolder(locator: locator),
              let config = try DiffusersFolder(folder).schedulerConfig() else { return .stableDiffusion15 }
        return try NoiseSchedule(schedulerConfig: config.url)
    }

    /// A class name or index (as `--class` takes it) → the class index.
    public func classIndex(_ text: String) throws -> Int {
        if takesPrompts {
            throw ExperimentError("\(name) is conditioned on prompts, not classes; give --prompt (edit: --source-prompt and --target-prompt)")
        }
        guard !classNames.isEmpty else { throw ExperimentError("\(name) is not class-conditional; it takes no classes") }
        if let index = classNames.firstIndex(of: text) { return index }
        if let index = Int(text), classNames.indices.contains(index) { return index }
        throw ExperimentError("unknown class \"\(text)\"; \(name) has the classes \(classNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", "))")
    }

    /// The network's conditioning for one batch, one condition per sample.
    public func conditioning(_ conditions: [ExperimentCondition]) throws -> Conditioning {
        precondition(!conditions.isEmpty, "a batch has at least one sample")
        let labels = conditions.compactMap { if case .label(let l) = $0 { l } else { nil } }
        let prompts = conditions.compactMap { if case .prompt(let p) = $0 { p } else { nil } }
        if let encoder = pipeline?.promptEncoder {
            guard labels.isEmpty else { throw ExperimentError("\(name) is conditioned on prompts, not classes; give --prompt") }
            // nil: the unconditional branch, which the pipeline encodes (the empty prompt, or SDXL's zeros).
            let texts: [String?] = conditions.map { if case .prompt(let p) = $0 { p } else { nil } }
            let encoding = try encoder.conditioning(texts)
            for prompt in Set(encoding.truncatedPrompts.compactMap { texts[$0] }) {
                FileHandle.standardError.write(Data("warning: the prompt \"\(prompt.escapingControlCharacters)\" is longer than \(encoder.maxLength) tokens; the rest is cut off\n".utf8))
            }
            return encoding.conditioning
        }
        guard prompts.isEmpty else { throw ExperimentError("\(name) takes no prompts (it has no text encoder)") }
        if labels.isEmpty { return try unconditionalBranch(batch: conditions.count) }
        guard labels.count == conditions.count else {
            let null = try nullLabel()
            return .classes(conditions.map { if case .label(let l) = $0 { l } else { null } })
        }
        if case .diffusers(let pipeline) = kind, pipeline.unet.classEmbeddingCount == nil {
            throw ExperimentError("\(name) is not class-conditional; it takes no classes")
        }
        return .classes(labels)
    }

    private func unconditionalBranch(batch: Int) throws -> Conditioning {
        switch kind {
        case .reference: return .unconditional
        case .diffusers(let pipeline):
            guard pipeline.unet.classEmbeddingCount != nil else { return .unconditional }
            return .classes(Array(repeating: try nullLabel(), count: batch))
        }
    }

    private func nullLabel() throws -> Int {
        guard case .diffusers(let pipeline) = kind else {
            throw ExperimentError("\(name): the reference model mixes conditional and unconditional samples in separate batches")
        }
        guard let null = pipeline.nullClass else {
            throw ExperimentError("\(name) is class-conditional and its unconditional branch needs the null class: add \(ClassLabelFile.fileName) beside model_index.json ({\"classes\": [...], \"null_class\": N}) or pass --null-class N (reconstruct: or condition on a class with --class)")
        }
        return null
    }

    /// ε for sampling under `conditions` with classifier-free guidance towards them at `scale` from the
    /// unconditional branch (`negative`: a negative prompt in its place); the plain model when `scale` is nil.
    public func guidedPredictor(scale: Double?, batch: Int, negativePrompt: String? = nil) throws -> any NoisePredictor {
        guard let scale else { return predictor }
        let unconditional: ExperimentCondition = negativePrompt.map { .prompt($0) } ?? .unconditional
        return GuidedNoisePredictor(model: predictor, scale: scale,
                                    unconditional: try conditioning(Array(repeating: unconditional, count: batch)))
    }

    /// Images [B, C, H, W] in [-1, 1] at `imageShape` → the samplers' states: themselves for pixel models,
    /// the VAE posterior mean × scaling factor for latent ones. The result stays on `backend`.
    public func encode(_ images: HostTensor, backend: any Backend) throws -> Tensor {
        guard images.shape.dropFirst().elementsEqual(imageShape) else {
            throw ExperimentError("images of shape \(Array(images.shape.dropFirst())) do not fit \(name), which takes \(imageShape)")
        }
        let x = backend.tensor(images)
        guard let vae = pipeline?.autoencoder else { return x }
        return backend.scaled(try vae.encodeMean(x), by: vae.scalingFactor)
    }

    /// States → images in [-1, 1] (decoded and clamped for latent models).
    public func decode(_ states: Tensor) throws -> HostTensor {
        let images = try decodeUnclamped(states)
        return isLatent ? Self.clamped(images) : images
    }

    /// States → images at full precision: the states themselves for pixel models, the VAE's decoding for
    /// latent ones, which may overshoot [-1, 1] (what `--save-tensors` keeps).
    public func decodeUnclamped(_ states: Tensor) throws -> HostTensor {
        guard let vae = pipeline?.autoencoder else { return HostTensor(shape: states.shape, scalars: states.values()) }
        return try vae.decode(states.backend.scaled(states, by: 1 / vae.scalingFactor)).host()
    }

    /// Images clamped to [-1, 1], as PNGs and the pixel metrics take them (NaN stays NaN, so a diverged run
    /// is still seen).
    public static func clamped(_ images: HostTensor) -> HostTensor {
        HostTensor(shape: images.shape, scalars: images.scalars.map { min(max($0, -1), 1) })
    }

    /// `count` real images: the first images of each class in turn (class 0, 1, …, then the second image of
    /// each class, …), or, with `ofClass`, images of that class spread evenly over it.
    public func evenlySpacedImages(count: Int, ofClass classIndex: Int? = nil) throws -> (images: HostTensor, labels: [Int]) {
        guard let images = imageSet else {
            throw ExperimentError("\(name) has no image set of its own; give the images to invert with --image FILE… or a folder")
        }
        let chosen: [Int]
        if let classIndex {
            let pool = images.indices(ofClass: classIndex)
            guard count >= 1, count <= pool.count else {
                throw InvalidSetting(.count, "\(count) must lie in 1…\(pool.count), the number of \(classNames[classIndex]) images of \(name)")
            }
            chosen = (0..<count).map { pool[$0 * pool.count / count] }
        } else {
            let pools = classNames.indices.map { images.indices(ofClass: $0) }.filter { !$0.isEmpty }
            var picked: [Int] = [], round = 0
            while picked.count < count && round < images.count {
                for pool in pools where round < pool.count && picked.count < count { picked.append(pool[round]) }
                round += 1
            }
            guard count >= 1, picked.count == count else {
                throw InvalidSetting(.count, "\(count) must lie in 1…\(images.count), the number of images of \(name)")
            }
            chosen = picked
        }
        let pixels = chosen.flatMap { images.image($0).values }
        return (HostTensor(shape: [count] + sampleShape, scalars: pixels), chosen.map { images.labels[$0] })
    }
}
