import Compute
import Diffusion
import Foundation
import Models

extension SamplingTarget {
    /// A diffusers UNet2DModel folder (a pipeline or a single model) as a sampling target: ε from its
    /// prediction type, the schedule from its scheduler config (or `fallback` when it has none), the sample
    /// shape from `in_channels` and `sample_size`, classes from `num_class_embeds`. Text-conditioned UNets
    /// (Stable Diffusion) need prompts and a VAE, which these commands do not drive.
    public static func diffusers(_ path: String, fallback: NoiseSchedule, backend: any Backend) throws -> SamplingTarget {
        let folder = try DiffusersFolder(URL(fileURLWithPath: path))
        let config = try DiffusersConfig(contentsOf: try folder.componentFolder("unet").appendingPathComponent("config.json"))
        let className = config.fields["_class_name"] as? String ?? "UNet2DModel"
        guard className == "UNet2DModel" else {
            throw ExperimentError("--model \(path): \(config.url.path) is a \(className); `sample` runs UNet2DModel checkpoints (pixel-space, unconditional or class-conditional)")
        }
        let configuration = try UNet2DConfiguration(config)
        guard let size = configuration.sampleSize else {
            throw ExperimentError("--model \(path): \(config.url.path) has no sample_size, so the sample shape is unknown")
        }
        let checkpoint = try UNetCheckpoint(folder: folder, backend: backend)
        let schedule = try checkpoint.noiseSchedule() ?? fallback
        return SamplingTarget(name: path, predictor: try checkpoint.noisePredictor(schedule: schedule),
                              schedule: schedule, sampleShape: [configuration.inChannels, size, size],
                              classCount: configuration.numClassEmbeds ?? 0, hasUnconditional: configuration.numClassEmbeds == nil)
    }
}
