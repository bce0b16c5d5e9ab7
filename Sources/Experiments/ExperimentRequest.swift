import Compute
import Diffusion
import Models

/// The kinds of experiment belm runs; each has its own page template (`Templates/<kind>.md.mustache`).
public enum ExperimentKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// Samples from the same initial noise with every sampler, step counts as rows.
    case sampling
    /// Invert images to noise and sample back; the round-trip error is the headline metric.
    case reconstruction
    /// Invert two images, interpolate their noises, sample the path.
    case interpolation
    /// Invert under a source condition, sample under a target condition (class or prompt).
    case editing
    /// Distance to the exact ODE solution against step count (reference model), giving convergence orders.
    case convergence
}

/// The samplers compared; the raw value is the name used in configs, CLI flags and metric records.
public enum SamplerChoice: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case ddim, edict, bdia, belm

    /// How the site names it in headings and legends.
    public var displayName: String {
        switch self {
        case .ddim: "DDIM"
        case .edict: "EDICT"
        case .bdia: "BDIA"
        case .belm: "O-BELM"
        }
    }

    /// Papers list them in this order (the enum order), which is also the column order of every table.
    public static func < (a: SamplerChoice, b: SamplerChoice) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// One experiment as the site's config describes it, fully resolved (defaults filled in). It is the whole
/// input of a run besides the model weights and the code, so its canonical JSON is part of the cache key.
public struct ExperimentRequest: Sendable, Codable, Hashable {
    /// Identifier from the config, unique within a site; names the experiment's page and its records.
    public var name: String
    public var kind: ExperimentKind
    /// `builtin:shapes`, `gmm:DIR`, or a diffusers folder (resolved to an absolute path).
    public var model: String
    public var samplers: [SamplerChoice]
    public var steps: [Int]
    public var seeds: [Int]
    /// Images (or samples) per seed.
    public var count: Int
    /// Class labels (class-conditional models, the reference model's classes); empty when unused.
    public var classes: [Int]
    /// Text prompts (Stable Diffusion); empty when unused.
    public var prompts: [String]
    /// Editing only: the targets, one per class or prompt above (class labels or prompts as text).
    public var targets: [String]
    /// Editing: the inversion step where the edit starts (SDEdit-style partial inversion); nil = full.
    public var freezeStep: Int?
    /// Classifier-free guidance scale; nil = unguided.
    public var guidance: Double?
    /// EDICT's mixing weight p and BDIA's γ.
    public var edictP: Double
    public var bdiaGamma: Double
    /// BELM's order (`order:`), EDICT's leapfrog update order (`edict_leapfrog:`) and the boundary convention
    /// (`convention:`). Left out of the request's JSON (see `CodingKeys`), like `precision`: the cache key adds
    /// each only when it differs from `SamplerSettings`' default, so results cached before the config could
    /// set them keep their keys.
    public var belmOrder: Int = SamplerSettings.defaults.belmOrder
    public var edictLeapfrog: Bool = SamplerSettings.defaults.edictLeapfrog
    public var convention: BoundaryConvention = SamplerSettings.defaults.convention
    /// Interpolation: frames in each strip, endpoints included.
    public var frames: Int
    /// The reference model's component std (small: clean samples; about 0.3: a smooth ODE for order
    /// studies); nil = the model's default.
    public var spread: Double?
    /// A folder of PNG/JPEG images to invert (reconstruction, interpolation, editing) for a diffusers model
    /// without an image set of its own; nil = the model's own set.
    public var images: String?
    /// Samples (or images) per cell the figures show; the metrics take every one.
    public var gallery: Int

    /// Sampling and reconstruction: write every sample (or reconstruction) of the first seed as a PNG under
    /// `samples/<experiment>/<sampler>-<steps>/`, the layout FID tools read.
    public var exportSamples: Bool

    /// Sampling: the FID of every cell against a reference set; nil = no FID.
    public var fid: FIDSetting?

    /// The model's weight precision (`precision:` of its entry in `models:`). Left out of the request's JSON
    /// (see `CodingKeys`): the cache key adds it only when it is not fp32, so results cached before models had
    /// a precision keep their keys.
    public var precision: Precision = .standard

    /// A Stable Diffusion XL model's micro-conditioning (`original_size:`, `crop_top_left:`, `target_size:`); nil
    /// = the image's own size and no crop. In the JSON, and so in the cache key, only when set.
    public var microConditioning: MicroConditioningSettings?

    /// Every field but `precision`, `belmOrder`, `edictLeapfrog` and `convention`.
    enum CodingKeys: String, CodingKey {
        case name, kind, model, samplers, steps, seeds, count, classes, prompts, targets, freezeStep, guidance, edictP, bdiaGamma,
             frames, spread, images, gallery, exportSamples, fid, microConditioning
    }

    /// How many a gallery shows when the config does not say.
    public static let defaultGallery = 8

    public init(name: String, kind: ExperimentKind, model: String, samplers: [SamplerChoice], steps: [Int],
                seeds: [Int], count: Int, classes: [Int] = [], prompts: [String] = [], targets: [String] = [],
                freezeStep: Int? = nil, guidance: Double? = nil, sampler: SamplerSettings = .defaults,
                frames: Int = 7, spread: Double? = nil, images: String? = nil, gallery: Int = ExperimentRequest.defaultGallery, exportSamples: Bool = false,
                fid: FIDSetting? = nil, precision: Precision = .standard, microConditioning: MicroConditioningSettings? = nil) {
        self.name = name
        self.kind = kind
        self.model = model
        self.samplers = samplers
        self.steps = steps
        self.seeds = seeds
        self.count = count
        self.classes = classes
        self.prompts = prompts
        self.targets = targets
        self.freezeStep = freezeStep
        self.guidance = guidance
        self.edictP = sampler.edictP
        self.bdiaGamma = sampler.bdiaGamma
        self.belmOrder = sampler.belmOrder
        self.edictLeapfrog = sampler.edictLeapfrog
        self.convention = sampler.convention
        self.frames = frames
        self.spread = spread
        self.images = images
        self.gallery = gallery
        self.exportSamples = exportSamples
        self.fid = fid
        self.precision = precision
        self.microConditioning = microConditioning
    }
}
