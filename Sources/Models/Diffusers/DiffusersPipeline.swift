import Compute
import Diffusion
import Foundation
import Tensors

/// Everything belm runs from a diffusers folder: the UNet and its training schedule, and — when the folder
/// has them — the VAE (latent models: Stable Diffusion), the tokenizer and text encoder (prompts; two of each
/// with the micro-conditioning for Stable Diffusion XL, model_index.json's StableDiffusionXLPipeline), and
/// `belm.json` (class names and the null class of a class-conditional UNet2DModel). The parts are checked
/// against one another when loaded, so a mismatched folder fails here, naming the file, not mid-sampling.
public final class DiffusersPipeline {
    public let folder: DiffusersFolder
    public let checkpoint: UNetCheckpoint
    public let unet: DiffusersUNet
    public let schedule: NoiseSchedule
    public let autoencoder: AutoencoderKL?
    /// Prompts → conditioning: `PromptEncoder` (SD 1.x/2.x) or `SDXLPromptEncoder`; nil for models without text.
    public let promptEncoder: (any PromptConditioner)?
    public let classLabels: ClassLabelFile?
    /// The UNet's sample side (`sample_size`): pixels for a pixel-space UNet, latents for Stable Diffusion.
    public let sampleSize: Int

    /// `nullClass` overrides belm.json's null class (`--null-class`). `precision` is the UNet's and the text
    /// encoder's; the VAE stays fp32 (diffusers' `force_upcast`: VAEs overflow in fp16). `microConditioning`
    /// sets SDXL's time ids (the parts left unset follow the image size); other pipelines have none, and
    /// `isSDXL` tells a caller whether the settings it gave were used.
    public init(folder url: URL, backend: any Backend, nullClass: Int? = nil, precision: Precision = .standard,
                microConditioning: MicroConditioningSettings = MicroConditioningSettings()) throws {
        folder = try DiffusersFolder(url)
        checkpoint = try UNetCheckpoint(folder: folder, backend: backend, precision: precision)
        guard let unet = checkpoint.model as? DiffusersUNet else { preconditionFailure("UNetCheckpoint builds DiffusersUNet") }
        self.unet = unet
        guard let schedule = try checkpoint.noiseSchedule() else {
            throw TensorFileError(url, "has no scheduler/scheduler_config.json (or scheduler_config.json beside config.json); belm takes the noise schedule from it — copy the scheduler config of the model's training run there")
        }
        self.schedule = schedule
        let unetConfigURL = try folder.componentFolder("unet").appendingPathComponent("config.json")
        let unetConfig = try DiffusersConfig(contentsOf: unetConfigURL)
        let factor = 1 << (unet.levelCount - 1)
        let size = try unetConfig.sampleSize()
        guard let size, size % factor == 0 else {
            throw TensorFileError(unetConfigURL, "field \"sample_size\" must be a positive multiple of \(factor) (the UNet's \(unet.levelCount) levels), at most \(ModelSizeLimits.sampleSize.upperBound); set it to the size the model was trained at")
        }
        sampleSize = size

        let vaeFolder = url.appendingPathComponent("vae")
        if FileManager.default.fileExists(atPath: vaeFolder.path) {
            let vae = try AutoencoderKL(folder: DiffusersFolder(vaeFolder), backend: backend)
            guard vae.configuration.latentChannels == unet.sampleChannels else {
                throw TensorFileError(vaeFolder.appendingPathComponent("config.json"), "field \"latent_channels\" is \(vae.configuration.latentChannels), but unet/config.json's in_channels is \(unet.sampleChannels); the VAE and UNet belong to different models")
            }
            autoencoder = vae
        } else if folder.isPipeline, try Self.listsComponent("vae", in: url) {
            throw TensorFileError(vaeFolder, "is missing: model_index.json lists a vae, but the folder has no vae/; check that the pipeline was downloaded completely")
        } else {
            autoencoder = nil
        }
        // The images the pipeline makes and reads must be images belm can read (and hold) at all.
        let imageSide = size * (autoencoder?.configuration.downsamplingFactor ?? 1)
        guard imageSide * imageSide <= ImageSizeLimit.maximumPixels else {
            throw TensorFileError(unetConfigURL, "field \"sample_size\" is \(size), which makes \(imageSide)×\(imageSide) images through the VAE; belm handles images of at most \(ImageSizeLimit.description)")
        }

        let pipelineClass = folder.isPipeline
            ? try DiffusersConfig(contentsOf: url.appendingPathComponent("model_index.json")).optionalString("_class_name") : nil
        if let width = unet.crossAttentionDim, unet.textTimeEmbedding != nil || pipelineClass == SDXLPipelineCheck.className {
            promptEncoder = try SDXLPipelineCheck.promptEncoder(folder: url, unet: unet, crossAttentionDim: width,
                                                                microConditioning: microConditioning.resolved(imageSide: imageSide),
                                                                precision: precision, backend: backend)
        } else if let width = unet.crossAttentionDim {
            for component in ["tokenizer", "text_encoder"] where !FileManager.default.fileExists(atPath: url.appendingPathComponent(component).path) {
                throw TensorFileError(url.appendingPathComponent(component), "is missing: the UNet attends to text (cross_attention_dim \(width)), so the pipeline needs tokenizer/ and text_encoder/; check that it was downloaded completely")
            }
            let encoder = try PromptEncoder.load(modelFolder: url, backend: backend, precision: precision)
            guard encoder.textEncoder.config.hiddenSize == width else {
                throw TensorFileError(url.appendingPathComponent("text_encoder/config.json"), "field \"hidden_size\" is \(encoder.textEncoder.config.hiddenSize), but unet/config.json's cross_attention_dim is \(width); the text encoder and UNet belong to different models")
            }
            promptEncoder = encoder
        } else {
            promptEncoder = nil
        }

        let labelsURL = url.appendingPathComponent(ClassLabelFile.fileName)
        var labels = try ClassLabelFile.load(folder: url)
        if let count = unet.classEmbeddingCount {
            if let nullClass {
                labels = ClassLabelFile(classes: labels?.classes ?? [], nullClass: nullClass)
                guard (0..<count).contains(nullClass) else {
                    throw ModelInputError("--null-class", "is \(nullClass), outside the UNet's classes 0..<\(count)")
                }
            }
            try labels?.validate(classCount: count, file: labelsURL)
        } else if labels.map({ !$0.classes.isEmpty || $0.nullClass != nil }) == true {
            throw TensorFileError(labelsURL, "names classes, but unet/config.json sets no num_class_embeds; the UNet is not class-conditional — remove the file or the fields")
        } else if nullClass != nil {
            throw ModelInputError("--null-class", "does not apply: \(unetConfigURL.path) sets no num_class_embeds, so the UNet is not class-conditional")
        }
        classLabels = labels
    }

    /// Class names in label order: belm.json's, or the label numbers when it names none.
    public var classNames: [String] {
        guard let count = unet.classEmbeddingCount else { return [] }
        let named = classLabels?.classes ?? []
        if !named.isEmpty { return named }
        return (0..<count).filter { $0 != classLabels?.nullClass }.map(String.init)
    }

    public var nullClass: Int? { classLabels?.nullClass }

    /// A Stable Diffusion XL pipeline: two text encoders, and micro-conditioning time ids.
    public var isSDXL: Bool { promptEncoder is SDXLPromptEncoder }

    /// The image side the pipeline works at: the UNet's sample size, times the VAE's downsampling.
    public var imageSize: Int { sampleSize * (autoencoder.map { 1 << ($0.configuration.blockOutChannels.count - 1) } ?? 1) }
    /// Channels of the images (3 for RGB models, 1 for grey ones).
    public var imageChannels: Int { autoencoder?.configuration.inChannels ?? unet.sampleChannels }

    private static func listsComponent(_ name: String, in url: URL) throws -> Bool {
        let index = try DiffusersConfig(contentsOf: url.appendingPathComponent("model_index.json"))
        guard let entry = index.fields[name] as? [Any] else { return false }
        return !entry.contains { $0 is NSNull }
    }
}
