import Compute
import Diffusion
import Foundation
import Models

extension SamplingTarget {
    /// A diffusers UNet2DModel folder (a pipeline or a single model) as a sampling target: ε from its
    /// prediction type, the schedule from its scheduler config (or `fallback` when it has none), the sample
    /// shape from `in_channels` and `sample_size`, classes from `num_class_embeds`.
    public static func diffusers(_ path: String, fallback: NoiseSchedule, backend: any Backend) throws -> SamplingTarget {
        let checkpoint = try UNetCheckpoint(folder: DiffusersFolder(URL(fileURLWithPath: path)), backend: backend)
        let schedule = try checkpoint.schedulerConfig.map { try NoiseSchedule(schedulerConfig: $0.url, requireEpsilon: false) } ?? fallback
        guard let unet = checkpoint.model as? UNet2DModel else {
            throw ExperimentError("--model \(path): only UNet2DModel checkpoints can be sampled")
        }
        let configuration = unet.configuration
        guard let size = configuration.sampleSize else {
            throw ExperimentError("--model \(path): the UNet config has no sample_size, so the sample shape is unknown")
        }
        return SamplingTarget(name: path, predictor: try checkpoint.noisePredictor(alphasCumprod: schedule.alphasCumprod),
                              schedule: schedule, sampleShape: [configuration.inChannels, size, size],
                              classCount: configuration.numClassEmbeds ?? 0, hasUnconditional: configuration.numClassEmbeds == nil)
    }
}
