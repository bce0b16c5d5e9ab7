import Compute
import Diffusion

/// Counts the model evaluations a sampler makes (per sample: one call on a batch is one evaluation), for
/// the `nfe` metric.
public final class CountingNoisePredictor: NoisePredictor {
    public let model: any NoisePredictor
    public private(set) var evaluations = 0

    public init(_ model: any NoisePredictor) { self.model = model }

    public var backend: any Backend { model.backend }

    public func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        evaluations += 1
        return model.predictNoise(x, timestep: timestep, conditioning: conditioning)
    }
}
