/// k-step BELM with the coefficients solved from the Taylor system (`BELMCoefficients`); k = 2 is O-BELM.
/// The chain starts up with a DDIM step and then uses 2, 3, … states until it has k. Beyond k = 2 the
/// method is not zero-stable on near-uniform grids (the paper uses only k = 2 for images), so expect it to
/// blow up with many steps; it is here for the study of the family.
public struct BELMSampler: Sampler, MultistepRule {
    public let name = "belm"
    public let statesPerStep: Int

    public init(order: Int) throws {
        guard order >= 2 else { throw DiffusionError("belmOrder must be at least 2 (got \(order)); order 1 is DDIM") }
        statesPerStep = order
    }

    public func coefficients(from m: Int, order: Int, grid: TimeGrid) -> MultistepCoefficients {
        guard order >= 2 else { return .ddim(from: m, grid: grid) }
        // h_j: the σ̄-step ending at the state j − 1 back from the new state m + 1.
        let steps = (1...order).map { j in grid.sigmaBar(m + 1 - j) - grid.sigmaBar(m + 2 - j) }
        let solved = BELMCoefficients(steps: steps)
        let target = grid.alpha(m + 1)
        return MultistepCoefficients(
            states: (0..<order).map { j in solved.a[j] * target / grid.alpha(m - j) },
            noises: (0..<(order - 1)).map { j in solved.b[j] * steps[j] * target })
    }
}
