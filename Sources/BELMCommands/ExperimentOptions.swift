import ArgumentParser
import Compute
import Diffusion
import Experiments
import Foundation
import Models
import Tensors

/// The knobs `sample`, `reconstruct`, `interpolate`, `edit` and `convergence` share. Numbers are parsed
/// unconditionally, so that `--count -1` is read as the number −1 and refused with its valid range, rather
/// than reported as a missing value.
public struct ExperimentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The model: builtin:shapes (the embedded reference model), gmm:DIR (the same exact model on a folder of PNG images), builtin:shapes-unet (a trained class-conditional UNet shipped with belm) or DIR, a diffusers folder.",
                               discussion: "DIR is a UNet2DModel (pipeline layout, or config.json with scheduler_config.json beside it) or a Stable Diffusion pipeline (unet/, vae/, tokenizer/, text_encoder/, scheduler/). Its schedule comes from its scheduler config. A class-conditional UNet2DModel names its classes and the null class (the label guidance treats as unconditional) in belm.json beside model_index.json: {\"classes\": [\"circle\", ...], \"null_class\": 10}."))
    public var model = "builtin:shapes"

    @Option(parsing: .unconditional, help: "The null class of a class-conditional diffusers UNet (its unconditional branch), in place of belm.json's null_class.")
    public var nullClass: Int?

    @Option(help: "Samplers, comma-separated: ddim, edict, bdia, belm.")
    public var sampler = "belm"

    @Option(parsing: .unconditional, help: "BELM's number of states per step (2 = O-BELM; 3 and more are not zero-stable).")
    public var order = 2

    @Option(parsing: .unconditional, help: "Step counts, comma-separated (each at least 2).")
    public var steps = "20"

    @Option(parsing: .unconditional, help: "Seed of the initial noise (the same noise for every sampler and step count).")
    public var seed = 0

    @Option(parsing: .unconditional, help: "Number of images or samples.")
    public var count = 8

    @Option(parsing: .unconditional, help: "Samples per model call.")
    public var batchSize = 8

    @Option(parsing: .unconditional, help: "EDICT's mixing weight p, in (0, 1).")
    public var edictP = 0.93

    @Flag(help: "EDICT with the official code's leapfrog order (y first on odd steps).")
    public var edictLeapfrog = false

    @Option(parsing: .unconditional, help: "BDIA's γ: 0 (plain DDIM; no inversion) or in [0.1, 1] (its inversion amplifies round-off by 1/γ a step).")
    public var bdiaGamma = 1.0

    @Option(help: "Boundary convention: official (BELM code: last step to ᾱ = 1, model told t = 1 there) or diffusers (end at final_alpha_cumprod).")
    public var convention: BoundaryConvention = .official

    @Option(help: "Noise schedule: sd15 (scaled_linear 0.00085→0.012, linspace), ddpm-cifar10 (linear 1e-4→0.02, leading), or a diffusers scheduler_config.json. Default: sd15 for the reference model, the folder's scheduler config for a diffusers model.")
    public var schedule: String?

    @Option(help: "Override the schedule's timestep spacing: leading, linspace or trailing. (With linspace or leading the last grid timestep is 0 whatever the step count, so the final step to ᾱ = 1 keeps its size and every sampler's ode_error levels off; trailing's last step shrinks with the step count.)")
    public var spacing: TimestepSpacing?

    @Option(parsing: .unconditional, help: "Component std of the reference mixture (0.1: clean samples; 0.3: smooth ODE for order studies).")
    public var spread = GaussianMixtureModel.defaultSpread

    @Option(parsing: .unconditional, help: "Resample a gmm: folder's images to this square size.")
    public var imageSize: Int?

    @Option(parsing: .unconditional, help: "Stable Diffusion's VAE: encode and decode in tiles of this many latent pixels a side (a multiple of 4; the image tile is 8 times that), as diffusers' enable_tiling(). Default: whole images unless the backend's buffer limit needs tiles.")
    public var vaeTile: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stable Diffusion XL: the original image size the UNet is told, height x width in pixels (diffusers' original_size). Default: the image size.", valueName: "HxW"),
            transform: PixelSize.init(parsing:))
    public var originalSize: PixelSize?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stable Diffusion XL: the top-left corner of the crop the UNet is told, top,left in pixels (diffusers' crops_coords_top_left). Default: 0,0.", valueName: "Y,X"),
            transform: PixelOffset.init(parsing:))
    public var cropTopLeft: PixelOffset?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stable Diffusion XL: the target image size the UNet is told, height x width in pixels (diffusers' target_size). Default: the image size.", valueName: "HxW"),
            transform: PixelSize.init(parsing:))
    public var targetSize: PixelSize?

    @OptionGroup public var backendOptions: BackendOptions

    @Flag(help: "No progress lines on stderr.")
    public var quiet = false

    public init() {}

    public func samplerChoices() throws -> [SamplerChoice] { try SamplerSettings.choices(sampler) }

    /// The `--steps` list as numbers; `RunSettings.validate` checks their values.
    public func stepCounts() throws -> [Int] {
        let parts = steps.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty else { throw ValidationError("--steps is empty; give one or more step counts, e.g. 10,20,50") }
        return try parts.map { part in
            guard let n = Int(part) else { throw ValidationError("--steps: \"\(part)\" is not a whole number") }
            return n
        }
    }

    /// The `--schedule` given; nil when none was (each model then takes its default).
    public func noiseSchedule() throws -> NoiseSchedule? {
        guard let schedule else { return nil }
        switch schedule {
        case "sd15": return .stableDiffusion15
        case "ddpm-cifar10": return .ddpmCIFAR10
        default:
            let url = URL(fileURLWithPath: schedule)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
                throw ValidationError("--schedule \(schedule): not sd15, ddpm-cifar10, or an existing scheduler_config.json")
            }
            guard !isFolder.boolValue else {
                throw ValidationError("--schedule \(schedule) is a directory; expected a scheduler_config.json file (or sd15, ddpm-cifar10)")
            }
            return try NoiseSchedule(schedulerConfig: url)
        }
    }

    public func settings() throws -> RunSettings {
        let run = RunSettings(
            samplers: try samplerChoices(), steps: try stepCounts(),
            sampler: SamplerSettings(belmOrder: order, edictP: edictP, edictLeapfrog: edictLeapfrog, bdiaGamma: bdiaGamma,
                                     convention: convention),
            seed: seed, count: count, batchSize: batchSize,
            progress: quiet ? nil : { step in FileHandle.standardError.write(Data("\(step.description.escapingControlCharacters)\n".utf8)) })
        try run.validate()
        return run
    }

    public func loadModel(backend: any Backend) throws -> ExperimentModel {
        if let vaeTile, vaeTile < 4 || vaeTile % 4 != 0 {
            throw ValidationError("--vae-tile is \(vaeTile); VAE tiles are a multiple of 4 latent pixels (they overlap by a quarter)")
        }
        let loaded = try ExperimentModel.load(model, spread: spread, schedule: try noiseSchedule(), spacing: spacing, imageSize: imageSize,
                                              nullClass: nullClass, precision: backendOptions.precision,
                                              microConditioning: MicroConditioningSettings(originalSize: originalSize, cropTopLeft: cropTopLeft, targetSize: targetSize),
                                              backend: backend)
        loaded.pipeline?.autoencoder?.tileLatentSize = vaeTile
        return loaded
    }

    /// `--image` files or folders → images at the model's size; nil when none are given.
    public func inputImages(_ paths: [String], for model: ExperimentModel) throws -> HostTensor? {
        guard !paths.isEmpty else { return nil }
        let shape = model.imageShape
        return try InputImages.load(paths, channels: shape[0], side: shape[1])
    }
}

extension BoundaryConvention: ExpressibleByArgument {}
extension TimestepSpacing: ExpressibleByArgument {}
