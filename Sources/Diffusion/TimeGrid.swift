/// Where the chain ends and what the model is told there.
public enum BoundaryConvention: String, Sendable, Codable, CaseIterable {
    /// The official BELM code: after the last grid timestep the chain steps to ᾱ = 1 (σ = 0), and the
    /// one model call made at that clean state (the first inversion step) is told timestep 1.
    case official
    /// diffusers' DDIMScheduler: the chain ends at `final_alpha_cumprod` (1 with `set_alpha_to_one`,
    /// else ᾱ_0) and the model is told timestep 0 there. (diffusers steps from t to t − T/N, which is off
    /// the grid for `linspace`/`trailing` spacing; belm always steps along the grid, which equals
    /// diffusers for `leading` spacing.)
    case diffusers
}

/// The N + 1 states of an N-step run: state 0 is x_T (noisiest), state N the sample. Sampling goes
/// k → k + 1, inversion k + 1 → k. Each state has its ᾱ and the timestep the model is told there.
public struct TimeGrid: Sendable, Equatable {
    /// Model timestep of each state (N + 1 entries).
    public let timesteps: [Int]
    /// ᾱ of each state (N + 1 entries), decreasing noise.
    public let alphaBars: [Double]

    public var stepCount: Int { timesteps.count - 1 }

    public init(schedule: NoiseSchedule, steps: Int, convention: BoundaryConvention = .official) throws {
        guard steps >= 2 else {
            throw DiffusionError("steps must be at least 2 (got \(steps)); the two-state samplers need two steps")
        }
        let grid = try schedule.timesteps(steps: steps)
        switch convention {
        case .official:
            timesteps = grid + [1]
            alphaBars = grid.map { schedule.alphasCumprod[$0] } + [1]
        case .diffusers:
            timesteps = grid + [0]
            alphaBars = grid.map { schedule.alphasCumprod[$0] } + [schedule.finalAlphaCumprod]
            if grid.last == 0 && !schedule.setAlphaToOne {
                // diffusers' last step then goes from ᾱ_0 to ᾱ_0: an empty step, which two-state samplers cannot divide by.
                throw DiffusionError("with the diffusers convention this \(schedule.spacing.rawValue) grid ends at timestep 0 and its last step (ᾱ_0 → final ᾱ_0, set_alpha_to_one false) is empty; use the official convention or set_alpha_to_one true")
            }
        }
    }

    /// A grid from explicit states (tests, analytic studies).
    public init(timesteps: [Int], alphaBars: [Double]) {
        precondition(timesteps.count == alphaBars.count && timesteps.count >= 2, "a grid needs matching timesteps and ᾱ, at least two states")
        self.timesteps = timesteps
        self.alphaBars = alphaBars
    }

    /// √ᾱ of state k.
    public func alpha(_ k: Int) -> Double { alphaBars[k].squareRoot() }
    /// √(1 − ᾱ) of state k.
    public func sigma(_ k: Int) -> Double { (1 - alphaBars[k]).squareRoot() }
    /// σ/α of state k: the time variable of the PF-ODE d x̄ = ε dσ̄ (x̄ = x/α).
    public func sigmaBar(_ k: Int) -> Double { sigma(k) / alpha(k) }
}
