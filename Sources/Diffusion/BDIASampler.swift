/// BDIA (bi-directional integration approximation, Zhang et al. 2023) [BELM paper eq 10, 24–25]:
///
///   x_{m+1} = γ x_{m−1} + (α_{m+1}/α_m − γ α_{m−1}/α_m) x_m
///             + (σ_{m+1} − (α_{m+1}/α_m) σ_m − γ (σ_{m−1} − (α_{m−1}/α_m) σ_m)) ε(x_m, t_m),
///
/// i.e. a DDIM step forwards from x_m plus γ times the difference between x_{m−1} and a DDIM step back to
/// it. γ = 0 is plain DDIM; inversion divides by γ and so needs γ > 0. Starts up with a DDIM step (and, in
/// inversion, a naive DDIM inversion step that evaluates ε — the official code forgets ε there).
public struct BDIASampler: Sampler, MultistepRule {
    public let name = "bdia"
    public let statesPerStep = 2
    public let gamma: Double

    public init(gamma: Double) throws {
        guard gamma.isFinite, gamma >= 0, gamma <= 1 else {
            throw DiffusionError("bdiaGamma must lie in [0, 1], got \(gamma)")
        }
        self.gamma = gamma
    }

    public func coefficients(from m: Int, order: Int, grid: TimeGrid) -> MultistepCoefficients {
        guard order == 2 else { return .ddim(from: m, grid: grid) }
        let forward = grid.alpha(m + 1) / grid.alpha(m), backward = grid.alpha(m - 1) / grid.alpha(m)
        return MultistepCoefficients(
            states: [forward - gamma * backward, gamma],
            noises: [grid.sigma(m + 1) - forward * grid.sigma(m) - gamma * (grid.sigma(m - 1) - backward * grid.sigma(m))])
    }

    public func invert(_ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int, model: any NoisePredictor,
                       conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState {
        guard gamma > 0 else {
            throw DiffusionError("BDIA with bdiaGamma 0 is plain DDIM and has no exact inversion; use a γ in (0, 1]")
        }
        return try MultistepChain.invert(self, end, grid: grid, stoppingAt: stop, model: model, conditioning: conditioning, progress: progress)
    }
}
