import Compute
import Diffusion
import Foundation
import Tensors

/// A diffusers UNet with what a sampler needs beside the network: how to read its output, and the training
/// schedule's settings (the scheduler config, as diffusers wrote it, for `NoiseSchedule` to interpret).
public struct UNetCheckpoint {
    public let model: any DiffusionUNet
    public let predictionType: PredictionType
    /// `scheduler/scheduler_config.json` or `scheduler_config.json`; nil when the folder has none.
    public let schedulerConfig: DiffusersConfig?

    public init(folder: DiffusersFolder, backend: any Backend, precision: Precision = .standard) throws {
        model = try DiffusersUNet(folder: folder, backend: backend, precision: precision)
        schedulerConfig = try folder.schedulerConfig()
        predictionType = try PredictionType(schedulerConfig: schedulerConfig)
    }

    /// The training schedule from the folder's scheduler config; nil when the folder has none.
    public func noiseSchedule() throws -> NoiseSchedule? {
        try schedulerConfig.map { try NoiseSchedule(schedulerConfig: $0.url) }
    }

    /// ε_θ for the samplers, converting v- or x₀-predictions with the schedule's ᾱ.
    public func noisePredictor(schedule: NoiseSchedule) throws -> DiffusersNoisePredictor {
        try noisePredictor(alphasCumprod: schedule.alphasCumprod)
    }

    /// ε_θ for the samplers; `alphasCumprod` (ᾱ_t, t = 0…) is required unless the model predicts ε.
    public func noisePredictor(alphasCumprod: [Double]?) throws -> DiffusersNoisePredictor {
        try DiffusersNoisePredictor(model: model, predictionType: predictionType, alphasCumprod: alphasCumprod)
    }
}
