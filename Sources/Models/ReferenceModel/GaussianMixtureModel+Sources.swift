import Compute
import Diffusion
import Tensors

extension GaussianMixtureModel {
    /// The model `--model builtin:shapes` or `--model gmm:DIR` names.
    public convenience init(source: ReferenceModelSource, spread: Double = GaussianMixtureModel.defaultSpread,
                            alphasCumprod: [Double], backend: any Backend, imageSize: Int? = nil) throws {
        self.init(images: try source.loadImages(imageSize: imageSize), spread: spread,
                  alphasCumprod: alphasCumprod, backend: backend)
    }

    /// The exact probability-flow ODE solution from x [B, C, H, W] at ᾱ_start to ᾱ_end (in Double on the host;
    /// see `ProbabilityFlowODESolver`), for `ode_error`. `guidance` makes `.classes` the guided field.
    public func exactODESolution(_ x: HostTensor, fromAlphaCumprod start: Double, toAlphaCumprod end: Double = 1,
                                 conditioning: Conditioning = .unconditional, guidance: Double? = nil,
                                 tolerance: Double = 1e-10) -> HostTensor {
        ProbabilityFlowODESolver(density: density, relativeTolerance: tolerance, absoluteTolerance: tolerance)
            .solve(x, fromAlphaCumprod: start, toAlphaCumprod: end, conditioning: conditioning, guidance: guidance)
    }
}
