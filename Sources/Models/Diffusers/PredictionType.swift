/// What a diffusers checkpoint's network outputs (the scheduler config's `prediction_type`).
public enum PredictionType: String, Sendable, CaseIterable {
    /// The noise ε.
    case epsilon
    /// v = √ᾱ·ε − √(1−ᾱ)·x₀.
    case vPrediction = "v_prediction"
    /// The clean sample x₀.
    case sample

    /// Reads `prediction_type` from a scheduler config (absent: epsilon, diffusers' default).
    public init(schedulerConfig: DiffusersConfig?) throws {
        guard let config = schedulerConfig else { self = .epsilon; return }
        let name = try config.choice("prediction_type", Self.allCases.map(\.rawValue), default: "epsilon")
        self = PredictionType(rawValue: name)!
    }

    /// The coefficients (a, b) with ε = a·output + b·x at noise level ᾱ (x = √ᾱ·x₀ + √(1−ᾱ)·ε).
    public func noiseCoefficients(alphaBar: Double) -> (output: Double, sample: Double) {
        switch self {
        case .epsilon: return (1, 0)
        case .vPrediction: return (alphaBar.squareRoot(), (1 - alphaBar).squareRoot())
        case .sample:
            let sigma = (1 - alphaBar).squareRoot()
            return (-alphaBar.squareRoot() / sigma, 1 / sigma)
        }
    }
}
