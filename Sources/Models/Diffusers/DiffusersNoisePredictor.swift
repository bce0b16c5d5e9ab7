import Compute
import Diffusion

/// A diffusers network as the samplers see it: ε_θ(x, t) whatever the checkpoint predicts. v- and
/// x₀-predictions are turned into ε with the training schedule's ᾱ at the given timestep.
public final class DiffusersNoisePredictor: NoisePredictor {
    public let model: any DiffusionUNet
    public let predictionType: PredictionType
    /// ᾱ_t for t = 0..<count (diffusers' `alphas_cumprod`); needed unless the model predicts ε.
    public let alphasCumprod: [Double]?

    public init(model: any DiffusionUNet, predictionType: PredictionType, alphasCumprod: [Double]?) throws {
        if predictionType != .epsilon && alphasCumprod == nil {
            throw ModelInputError("alphas_cumprod", "are needed to turn a \(predictionType.rawValue) model's output into noise; pass the training schedule's ᾱ")
        }
        self.model = model
        self.predictionType = predictionType
        self.alphasCumprod = alphasCumprod
    }

    public var backend: any Backend { model.backend }

    public func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        let output: Tensor
        do {
            output = try model.forward(x, timesteps: [Double(timestep)], conditioning: conditioning)
        } catch {
            // Samplers hand over tensors the model was built for; anything else is a programming error.
            preconditionFailure("predictNoise: \(error)")
        }
        guard predictionType != .epsilon, let alphas = alphasCumprod else { return output }
        precondition(alphas.indices.contains(timestep), "timestep \(timestep) is outside the schedule's 0..<\(alphas.count)")
        let (a, b) = predictionType.noiseCoefficients(alphaBar: alphas[timestep])
        return backend.linearCombination([(output, a), (x, b)])
    }
}
