import Diffusion

/// What every experiment shares: which samplers at which step counts, on which noise, in batches of what size.
public struct RunSettings {
    public var samplers: [SamplerChoice]
    public var steps: [Int]
    public var sampler: SamplerSettings
    public var seed: Int
    public var count: Int
    public var batchSize: Int
    /// Called with a line of progress ("belm 20 steps: 3/20") for long runs.
    public var progress: ((String) -> Void)?

    public init(samplers: [SamplerChoice], steps: [Int], sampler: SamplerSettings = SamplerSettings(), seed: Int = 0,
                count: Int = 8, batchSize: Int = 8, progress: ((String) -> Void)? = nil) {
        self.samplers = samplers
        self.steps = steps
        self.sampler = sampler
        self.seed = seed
        self.count = count
        self.batchSize = batchSize
        self.progress = progress
    }

    /// The checks every command needs, each a clear error.
    public func validate() throws {
        guard !samplers.isEmpty else { throw ExperimentError("no sampler chosen") }
        guard !steps.isEmpty else { throw ExperimentError("no step count chosen") }
        for n in steps where n < 2 { throw ExperimentError("--steps must be at least 2, got \(n)") }
        guard count >= 1 else { throw ExperimentError("--count must be at least 1, got \(count)") }
        guard batchSize >= 1 else { throw ExperimentError("--batch-size must be at least 1, got \(batchSize)") }
        for choice in samplers { _ = try sampler.sampler(choice) }
    }

    func grid(_ schedule: NoiseSchedule, steps n: Int) throws -> TimeGrid {
        try TimeGrid(schedule: schedule, steps: n, convention: sampler.convention)
    }

    func stepProgress(_ label: String) -> StepProgress? {
        guard let progress else { return nil }
        return { done, total in if done == total || done % 10 == 0 { progress("\(label): step \(done)/\(total)") } }
    }
}
