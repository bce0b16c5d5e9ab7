import Compute

/// What a model is conditioned on for one batch.
public enum Conditioning {
    case unconditional
    /// One class label per sample (class-conditional UNets, the reference model's classes).
    case classes([Int])
    /// Text-encoder hidden states [B, 77, D] (Stable Diffusion).
    case text(Tensor)
}

/// ε_θ(x, t): the one thing samplers need from a model. Implemented by the reference model, diffusers
/// UNets and guidance wrappers alike; `x` lives on `backend` and so does the result.
public protocol NoisePredictor: AnyObject {
    var backend: any Backend { get }
    /// `timestep` is the diffusers timestep index (0…999 for the usual 1000-step schedules), the same
    /// for every sample in the batch; inversion conventions may pass values such as the literal 1.
    func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor
}
