import Compute

/// Called after each step with (steps done, steps to do).
public typealias StepProgress = (_ done: Int, _ total: Int) -> Void

/// A deterministic diffusion sampler and its inversion, written only with `Backend.linearCombination`
/// on the tensors (coefficients in Double on the host), so it runs on any backend.
public protocol Sampler: Sendable {
    /// The `--sampler` name: ddim, edict, bdia, belm.
    var name: String { get }

    /// Runs the chain from `start` (state `start.index`, 0 for pure noise; a freeze step for partial
    /// sampling) to the end of `grid`.
    func sample(from start: SamplerState, grid: TimeGrid, model: any NoisePredictor,
                conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState

    /// Runs the chain backwards from `end` (state N of `grid`) to state `stop` (0 for full inversion, a
    /// freeze step for partial inversion). The result carries what `sample` needs to reconstruct `end`.
    func invert(_ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int, model: any NoisePredictor,
                conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState
}

extension Sampler {
    public func sample(from start: SamplerState, grid: TimeGrid, model: any NoisePredictor,
                       conditioning: Conditioning = .unconditional) throws -> SamplerState {
        try sample(from: start, grid: grid, model: model, conditioning: conditioning, progress: nil)
    }

    public func invert(_ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int = 0, model: any NoisePredictor,
                       conditioning: Conditioning = .unconditional) throws -> SamplerState {
        try invert(end, grid: grid, stoppingAt: stop, model: model, conditioning: conditioning, progress: nil)
    }

    /// Checks the common preconditions of `invert`.
    func checkInversion(_ end: SamplerState, grid: TimeGrid, stop: Int) throws {
        guard end.index == grid.stepCount else {
            throw DiffusionError("inversion starts from the data end (state \(grid.stepCount)), not state \(end.index)")
        }
        guard stop >= 0, stop < grid.stepCount else {
            throw DiffusionError("freezeStep \(stop) must lie in 0…\(grid.stepCount - 1), below the number of steps (\(grid.stepCount))")
        }
    }

    func checkSampling(_ start: SamplerState, grid: TimeGrid) throws {
        guard start.index >= 0, start.index < grid.stepCount else {
            throw DiffusionError("sampling starts at state \(start.index), which must lie in 0…\(grid.stepCount - 1), below the number of steps (\(grid.stepCount))")
        }
    }
}
