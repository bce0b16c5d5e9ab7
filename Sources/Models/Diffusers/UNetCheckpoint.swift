import Compute
import Foundation
import Tensors

/// A diffusers UNet with what a sampler needs beside the network: how to read its output, and the training
/// schedule's settings (the scheduler config, as diffusers wrote it, for `NoiseSchedule` to interpret).
public struct UNetCheckpoint {
    public let model: any DiffusionUNet
    public let predictionType: PredictionType
    /// `scheduler/scheduler_config.json` or `scheduler_config.json`; nil when the folder has none.
    public let schedulerConfig: DiffusersConfig?

    public init(folder: DiffusersFolder, backend: any Backend) throws {
        let component = try folder.componentFolder("unet")
        let configURL = component.appendingPathComponent("config.json")
        let config = try DiffusersConfig(contentsOf: configURL)
        let className = config.fields["_class_name"] as? String ?? "UNet2DModel"
        switch className {
        case "UNet2DModel":
            let weights = try SafetensorsWeights(contentsOf: DiffusersFolder.weightsFile(in: component))
            model = try UNet2DModel(configuration: UNet2DConfiguration(config), weights: weights, backend: backend)
        default:
            throw TensorFileError(configURL, "field \"_class_name\" is \"\(className)\"; belm runs UNet2DModel checkpoints")
        }
        schedulerConfig = try folder.schedulerConfig()
        predictionType = try PredictionType(schedulerConfig: schedulerConfig)
    }

    /// ε_θ for the samplers; `alphasCumprod` (ᾱ_t, t = 0…) is required unless the model predicts ε.
    public func noisePredictor(alphasCumprod: [Double]?) throws -> DiffusersNoisePredictor {
        try DiffusersNoisePredictor(model: model, predictionType: predictionType, alphasCumprod: alphasCumprod)
    }
}
