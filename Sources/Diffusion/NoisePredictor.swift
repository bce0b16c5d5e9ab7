import Compute

/// What a model is conditioned on for one batch.
public enum Conditioning {
    case unconditional
    /// One class label per sample (class-conditional UNets, the reference model's classes).
    case classes([Int])
    /// Text-encoder hidden states [B, 77, D] (Stable Diffusion).
    case text(Tensor)
    /// Stable Diffusion XL: text states [B, 77, D] as for `text`, and what the UNet's added (text_time) embedding
    /// takes besides: the pooled text embedding [B, P] and the micro-conditioning time ids, the same count for
    /// every sample, sample after sample (original height and width, crop top and left, target height and width:
    /// six per sample for SDXL base).
    case textAndAdded(states: Tensor, pooled: Tensor, timeIDs: [Double])
}

/// ε_θ(x, t): the one thing samplers need from a model. Implemented by the reference model, diffusers
/// UNets and guidance wrappers alike; `x` lives on `backend` and so does the result.
public protocol NoisePredictor: AnyObject {
    var backend: any Backend { get }
    /// `timestep` is the diffusers timestep index (0…999 for the usual 1000-step schedules), the same
    /// for every sample in the batch; inversion conventions may pass values such as the literal 1.
    func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor
}
