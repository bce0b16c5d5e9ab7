/// O-BELM, the 2-step bidirectional explicit linear multistep method with the locally most accurate
/// coefficients [BELM paper eq 18–19]. With h the step in σ̄ = σ/α,
///
///   x_{m+1} = (h²/H²)(α_{m+1}/α_{m−1}) x_{m−1} + ((H² − h²)/H²)(α_{m+1}/α_m) x_m − (h(h + H)/H) α_{m+1} ε(x_m, t_m),
///
/// h = σ̄_m − σ̄_{m+1} (this step), H = σ̄_{m−1} − σ̄_m (the one before), both > 0. ε is evaluated at the
/// middle state only, so the step can be solved for x_{m−1}: that is the exact inversion (eq 19). The
/// chain starts with a DDIM step; inversion starts with a naive DDIM inversion step and returns x_T
/// together with the state after it, which reconstruction needs.
public struct OBELMSampler: Sampler, MultistepRule {
    public let name = "belm"
    public let statesPerStep = 2

    public init() {}

    public func coefficients(from m: Int, order: Int, grid: TimeGrid) -> MultistepCoefficients {
        guard order == 2 else { return .ddim(from: m, grid: grid) }
        let h = grid.sigmaBar(m) - grid.sigmaBar(m + 1)
        let hPrevious = grid.sigmaBar(m - 1) - grid.sigmaBar(m)
        let ratio = h * h / (hPrevious * hPrevious)
        return MultistepCoefficients(
            states: [(1 - ratio) * grid.alpha(m + 1) / grid.alpha(m),
                     ratio * grid.alpha(m + 1) / grid.alpha(m - 1)],
            noises: [-h * (h + hPrevious) / hPrevious * grid.alpha(m + 1)])
    }
}
