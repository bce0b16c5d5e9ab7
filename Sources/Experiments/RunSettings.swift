import Diffusion

/// What every experiment shares: which samplers at which step counts, on which noise, in batches of what size.
public struct RunSettings {
    public var samplers: [SamplerChoice]
    public var steps: [Int]
    public var sampler: SamplerSettings
    public var seed: Int
    public var count: Int
    public var batchSize: Int
    /// Called as long runs advance (every tenth step of a chain, each frame, each exact solve).
    public var progress: ((ExperimentStep) -> Void)?

    public init(samplers: [SamplerChoice], steps: [Int], sampler: SamplerSettings = SamplerSettings(), seed: Int = 0,
                count: Int = 8, batchSize: Int = 8, progress: ((ExperimentStep) -> Void)? = nil) {
        self.samplers = samplers
        self.steps = steps
        self.sampler = sampler
        self.seed = seed
        self.count = count
        self.batchSize = batchSize
        self.progress = progress
    }

    /// The checks every experiment makes before any work, each an `InvalidSetting` naming the parameter.
    /// `inverting`: the experiment inverts images (BDIA then needs γ > 0).
    public func validate(inverting: Bool = false) throws {
        try Self.check(samplers: samplers, steps: steps, count: count)
        guard batchSize >= 1 else { throw InvalidSetting(.batchSize, "must be at least 1, got \(batchSize)") }
        try sampler.validate(for: samplers, inverting: inverting)
    }

    /// Samplers and step counts each given once (a second run of the same pair would write a second record
    /// of it), at least 2 steps, at least one sample.
    static func check(samplers: [SamplerChoice], steps: [Int], count: Int) throws {
        guard !samplers.isEmpty else { throw InvalidSetting(.samplers, "is empty; choose from \(SamplerChoice.allCases.map(\.rawValue).joined(separator: ", "))") }
        if let twice = samplers.first(where: { choice in samplers.filter { $0 == choice }.count > 1 }) {
            throw InvalidSetting(.samplers, "lists \(twice.rawValue) twice; give each sampler once")
        }
        guard !steps.isEmpty else { throw InvalidSetting(.steps, "is empty; give one or more step counts, e.g. 10, 20, 50") }
        for n in steps where n < 2 { throw InvalidSetting(.steps, "must be at least 2, got \(n)") }
        if let twice = steps.first(where: { n in steps.filter { $0 == n }.count > 1 }) {
            throw InvalidSetting(.steps, "lists \(twice) twice; give each step count once")
        }
        guard count >= 1 else { throw InvalidSetting(.count, "must be at least 1, got \(count)") }
    }

    func grid(_ schedule: NoiseSchedule, steps n: Int) throws -> TimeGrid {
        try TimeGrid(schedule: schedule, steps: n, convention: sampler.convention)
    }

    /// The samplers' step callback for one chain, reporting every tenth step and the last.
    func stepProgress(sampler: String, steps: Int, items: Range<Int>?, phase: ExperimentStep.ChainPhase) -> StepProgress? {
        guard let progress else { return nil }
        return { done, total in
            if done == total || done % 10 == 0 {
                progress(.chain(sampler: sampler, steps: steps, items: items, phase: phase, done: done, total: total))
            }
        }
    }
}
