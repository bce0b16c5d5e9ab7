/// DDIM (η = 0) and its naive inversion, which evaluates ε at the less noisy state and so is not exact
/// [BELM paper eq 7–8].
public struct DDIMSampler: Sampler, MultistepRule {
    public let name = "ddim"
    public let statesPerStep = 1

    public init() {}

    public func coefficients(from m: Int, order: Int, grid: TimeGrid) -> MultistepCoefficients {
        .ddim(from: m, grid: grid)
    }
}
