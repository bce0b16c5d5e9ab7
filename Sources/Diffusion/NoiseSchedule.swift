import Foundation

/// How β grows over the training timesteps (diffusers' `beta_schedule`).
public enum BetaSchedule: String, Sendable, CaseIterable {
    case linear
    case scaledLinear = "scaled_linear"
    case squaredcosCapV2 = "squaredcos_cap_v2"
}

/// Which training timesteps an N-step run visits (diffusers' `timestep_spacing`).
public enum TimestepSpacing: String, Sendable, CaseIterable {
    case leading, linspace, trailing
}

/// A diffusion model's noise schedule: ᾱ_t for every training timestep and the rule that picks the
/// timesteps of an N-step run.
///
/// ᾱ is computed in Double with diffusers' formulas (`DDIMScheduler.__init__`). diffusers itself holds
/// the betas and ᾱ in float32, so its values differ from these in the 7th significant digit; the BELM
/// paper's coefficients (and the golden values of the tests) are the float64 ones.
public struct NoiseSchedule: Sendable, Equatable {
    public let betaSchedule: BetaSchedule
    public let betaStart: Double
    public let betaEnd: Double
    public let spacing: TimestepSpacing
    /// Added to every timestep with `leading` spacing (diffusers ignores it for `linspace`, and `trailing` has its own offset).
    public let stepsOffset: Int
    /// diffusers' `set_alpha_to_one`: whether the final ᾱ (after timestep 0) is 1 or ᾱ_0. Only the
    /// `.diffusers` boundary convention reads it; the official BELM code always ends at ᾱ = 1.
    public let setAlphaToOne: Bool
    /// ᾱ_t for t = 0 ..< numTrainTimesteps.
    public let alphasCumprod: [Double]

    public var numTrainTimesteps: Int { alphasCumprod.count }

    /// The ᾱ diffusers steps to after timestep 0.
    public var finalAlphaCumprod: Double { setAlphaToOne ? 1 : alphasCumprod[0] }

    public init(betaSchedule: BetaSchedule, betaStart: Double = 0.0001, betaEnd: Double = 0.02,
                numTrainTimesteps: Int = 1000, spacing: TimestepSpacing, stepsOffset: Int = 0,
                setAlphaToOne: Bool) {
        precondition(numTrainTimesteps >= 2, "a schedule needs at least 2 training timesteps")
        self.betaSchedule = betaSchedule
        self.betaStart = betaStart
        self.betaEnd = betaEnd
        self.spacing = spacing
        self.stepsOffset = stepsOffset
        self.setAlphaToOne = setAlphaToOne
        let betas = Self.betas(betaSchedule, start: betaStart, end: betaEnd, count: numTrainTimesteps)
        var product = 1.0
        alphasCumprod = betas.map { beta in
            product *= 1 - beta
            return product
        }
    }

    static func betas(_ schedule: BetaSchedule, start: Double, end: Double, count: Int) -> [Double] {
        func linspace(_ a: Double, _ b: Double) -> [Double] {
            (0..<count).map { a + (b - a) * Double($0) / Double(count - 1) }
        }
        switch schedule {
        case .linear:
            return linspace(start, end)
        case .scaledLinear:
            return linspace(start.squareRoot(), end.squareRoot()).map { $0 * $0 }
        case .squaredcosCapV2:
            // diffusers' betas_for_alpha_bar with the cosine transform (Nichol & Dhariwal), β capped at 0.999.
            func alphaBar(_ t: Double) -> Double {
                let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
                return c * c
            }
            return (0..<count).map { i in
                let t1 = Double(i) / Double(count), t2 = Double(i + 1) / Double(count)
                return min(1 - alphaBar(t2) / alphaBar(t1), 0.999)
            }
        }
    }

    /// The timesteps of an `steps`-step run, noisiest first, exactly as `DDIMScheduler.set_timesteps`.
    public func timesteps(steps: Int) throws -> [Int] {
        let train = numTrainTimesteps
        guard steps >= 1, steps <= train else {
            throw DiffusionError("\(steps) steps is outside 1…\(train), the number of training timesteps of this schedule")
        }
        let grid: [Int]
        switch spacing {
        case .linspace:
            // np.linspace(0, T-1, N).round()[::-1]; numpy rounds halves to even.
            grid = (0..<steps).reversed().map { i in
                let value = steps == 1 ? 0 : Double(train - 1) * Double(i) / Double(steps - 1)
                return Int(value.rounded(.toNearestOrEven))
            }
        case .leading:
            let ratio = train / steps
            grid = (0..<steps).reversed().map { $0 * ratio + stepsOffset }
        case .trailing:
            // np.round(np.arange(T, 0, -T/N)) - 1
            let ratio = Double(train) / Double(steps)
            grid = (0..<steps).map { Int((Double(train) - Double($0) * ratio).rounded(.toNearestOrEven)) - 1 }
        }
        for t in grid where t < 0 || t >= train {
            throw DiffusionError("timestep \(t) of the \(steps)-step \(spacing.rawValue) grid (steps_offset \(stepsOffset)) is outside 0…\(train - 1); lower steps_offset")
        }
        return grid
    }

    /// The same ᾱ with another timestep spacing (and steps_offset).
    public func with(spacing: TimestepSpacing, stepsOffset: Int? = nil) -> NoiseSchedule {
        NoiseSchedule(betaSchedule: betaSchedule, betaStart: betaStart, betaEnd: betaEnd, numTrainTimesteps: numTrainTimesteps,
                      spacing: spacing, stepsOffset: stepsOffset ?? self.stepsOffset, setAlphaToOne: setAlphaToOne)
    }

    /// Stable Diffusion 1.5 as the BELM reconstruction and editing code sets it up: scaled_linear
    /// 0.00085→0.012, `linspace` spacing (10 steps: 999, 888, …, 111, 0), set_alpha_to_one false.
    public static let stableDiffusion15 = NoiseSchedule(
        betaSchedule: .scaledLinear, betaStart: 0.00085, betaEnd: 0.012, spacing: .linspace, setAlphaToOne: false)

    /// DDPM CIFAR-10 (google/ddpm-cifar10-32 read by DDIMScheduler): linear 1e-4→0.02, `leading` spacing.
    public static let ddpmCIFAR10 = NoiseSchedule(
        betaSchedule: .linear, betaStart: 0.0001, betaEnd: 0.02, spacing: .leading, setAlphaToOne: true)
}
