import Tensors

/// A knob of the samplers and experiments, as the library names it. Each front end says it in its own words:
/// the command line as a flag (`--bdia-gamma`), the site config as a key (`bdia_gamma`).
public enum ExperimentParameter: String, Sendable, CaseIterable {
    case samplers, steps, count, batchSize, guidance, edictP, bdiaGamma, belmOrder
    /// Editing: the state where inversion stops and sampling resumes.
    case freezeStep
    /// Given initial noise (`SamplingExperiment.noise`, the endpoints of an interpolation).
    case noise
    /// The reference model's component std.
    case spread
    /// A class-conditional diffusers model's null class (its unconditional branch).
    case nullClass
    /// The image files (or folders of them) to invert.
    case images
    /// Stable Diffusion XL's micro-conditioning: the original size, the crop's top-left corner, the target size.
    case originalSize, cropTopLeft, targetSize
}

/// A setting the experiments refuse, before any work: the parameter, and what is wrong with its value.
public struct InvalidSetting: Error, CustomStringConvertible, Equatable {
    public let parameter: ExperimentParameter
    /// Follows the parameter's name: "must lie in [0, 100], got nan".
    public let problem: String

    public init(_ parameter: ExperimentParameter, _ problem: String) {
        self.parameter = parameter
        self.problem = problem
    }

    public var description: String { "\(parameter.rawValue) \(problem)" }
}

/// The bounds of the knobs, in one place; `RunSettings.validate`, `ExperimentRequest.validate` and the
/// experiments check through these.
public enum SettingLimits {
    /// Classifier-free guidance scales: 0 (the unconditional branch) to far beyond any useful scale (SD uses
    /// 3–10), so that ε stays within float range.
    public static let guidance: ClosedRange<Double> = 0...100
    /// BDIA's γ is 0 (plain DDIM, which cannot invert) or lies in this range: inversion divides by γ every
    /// step, so below 0.1 round-off grows more than tenfold a step and a round trip overflows or loses every
    /// digit within a few steps, while sampling differs little from γ = 0. 0.1 is the smallest non-zero γ of
    /// the BDIA grid the BELM paper searches (its Table 6).
    public static let bdiaGamma: ClosedRange<Double> = 0.1...1

    public static func checkGuidance(_ scale: Double?) throws {
        guard let scale else { return }
        guard scale.isFinite, guidance.contains(scale) else {
            throw InvalidSetting(.guidance, "must lie in [\(format(guidance.lowerBound)), \(format(guidance.upperBound))], got \(scale)")
        }
    }

    /// Editing's freeze step is a state of every chain: 0 (full inversion) up to one below the fewest steps.
    public static func checkFreezeStep(_ freezeStep: Int, steps: [Int]) throws {
        for n in steps where freezeStep < 0 || freezeStep >= n {
            throw InvalidSetting(.freezeStep, "\(freezeStep) must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
    }

    /// Given noise must be finite: a NaN or ∞ in x_T makes every sample NaN.
    public static func checkNoise(_ noise: HostTensor) throws {
        guard let index = noise.scalars.firstIndex(where: { !$0.isFinite }) else { return }
        let size = noise.count / max(1, noise.shape.first ?? 1)
        throw InvalidSetting(.noise, "holds \(noise.scalars[index]) (sample \(index / max(1, size)), value \(index % max(1, size))); initial noise must be finite")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

extension SamplerSettings {
    /// Refuses knobs the samplers cannot run with, whichever samplers are chosen (so that every front end
    /// refuses the same values). `inverting`: the experiment inverts images, so BDIA, when chosen, needs γ > 0.
    public func validate(for samplers: [SamplerChoice], inverting: Bool) throws {
        guard edictP.isFinite, edictP > 0, edictP < 1 else {
            throw InvalidSetting(.edictP, "must lie in (0, 1) (EDICT mixes its two sequences with weights p and 1 − p), got \(edictP)")
        }
        let gammas = SettingLimits.bdiaGamma
        guard bdiaGamma.isFinite, bdiaGamma == 0 || gammas.contains(bdiaGamma) else {
            throw InvalidSetting(.bdiaGamma, "must be 0 (plain DDIM) or lie in [\(gammas.lowerBound), \(SettingLimits.format(gammas.upperBound))], got \(bdiaGamma): BDIA's inversion divides by γ every step, so a smaller γ overflows")
        }
        if inverting && bdiaGamma == 0 && samplers.contains(.bdia) {
            throw InvalidSetting(.bdiaGamma, "is 0, which makes BDIA plain DDIM: it has no exact inversion; use a γ in [\(gammas.lowerBound), \(SettingLimits.format(gammas.upperBound))]")
        }
        guard belmOrder >= 2 else {
            throw InvalidSetting(.belmOrder, "must be at least 2 (BELM's states per step; order 1 is DDIM), got \(belmOrder)")
        }
    }
}

extension ExperimentKind {
    /// Whether the experiment inverts images (and so needs samplers that can).
    public var inverts: Bool {
        switch self {
        case .reconstruction, .interpolation, .editing: true
        case .sampling, .convergence: false
        }
    }
}

extension ExperimentRequest {
    /// The checks of `RunSettings.validate` and the guidance's, on a request as the site config resolves it;
    /// the config loader calls this so that it refuses exactly what the experiments refuse.
    public func validate() throws {
        try RunSettings.check(samplers: samplers, steps: steps, count: count)
        try samplerSettings.validate(for: samplers, inverting: kind.inverts)
        try SettingLimits.checkGuidance(guidance)
        if kind == .editing, let freezeStep { try SettingLimits.checkFreezeStep(freezeStep, steps: steps) }
    }
}
