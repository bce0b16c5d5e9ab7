import Compute

/// EDICT (Wallace et al. 2023) [BELM paper eq 9, 22]: two coupled chains x and y, each DDIM-stepped with ε
/// of the other, then mixed with weight p ∈ (0, 1). With a = α_{m+1}/α_m and b = σ_{m+1} − a σ_m,
///
///   x' = a x + b ε(y, t_m);   y' = a y + b ε(x', t_m);   x⁺ = p x' + (1 − p) y';   y⁺ = p y' + (1 − p) x⁺,
///
/// every line solvable for its left input, so inversion is exact at 2 model calls per step. Both chains
/// start from the same x_T (or the same data): the official SD sampling script draws them independently.
/// `leapfrog` is the official EDICT code's default: on odd grid steps y is updated first, with ε(x); the
/// mixing keeps its order.
public struct EDICTSampler: Sampler {
    public let name = "edict"
    public let p: Double
    public let leapfrog: Bool

    public init(p: Double = 0.93, leapfrog: Bool = false) throws {
        guard p.isFinite, p > 0, p < 1 else { throw DiffusionError("edictP must lie in (0, 1), got \(p)") }
        self.p = p
        self.leapfrog = leapfrog
    }

    private func swapped(_ m: Int) -> Bool { leapfrog && m % 2 == 1 }

    public func sample(from start: SamplerState, grid: TimeGrid, model: any NoisePredictor,
                       conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState {
        let n = grid.stepCount
        guard start.index >= 0, start.index < n else {
            throw DiffusionError("sampling starts at state \(start.index), which must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
        var (x, y) = try pair(start)
        let backend = x.backend
        for m in start.index..<n {
            let a = grid.alpha(m + 1) / grid.alpha(m), b = grid.sigma(m + 1) - a * grid.sigma(m)
            let t = grid.timesteps[m]
            if swapped(m) { swap(&x, &y) }
            let xInter = backend.linearCombination([(x, a), (model.predictNoise(y, timestep: t, conditioning: conditioning), b)])
            let yInter = backend.linearCombination([(y, a), (model.predictNoise(xInter, timestep: t, conditioning: conditioning), b)])
            var (first, second) = (xInter, yInter)
            if swapped(m) { swap(&first, &second) }
            x = backend.linearCombination([(first, p), (second, 1 - p)])
            y = backend.linearCombination([(second, p), (x, 1 - p)])
            progress?(m + 1 - start.index, n - start.index)
        }
        return SamplerState(x: x, index: n, companions: [y])
    }

    public func invert(_ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int, model: any NoisePredictor,
                       conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState {
        let n = grid.stepCount
        guard end.index == n else { throw DiffusionError("inversion starts from the data end (state \(n)), not state \(end.index)") }
        guard stop >= 0, stop < n else {
            throw DiffusionError("freezeStep \(stop) must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
        var (x, y) = try pair(end)
        let backend = x.backend
        for m in stride(from: n - 1, through: stop, by: -1) {
            let a = grid.alpha(m + 1) / grid.alpha(m), b = grid.sigma(m + 1) - a * grid.sigma(m)
            let t = grid.timesteps[m]
            // Undo the mixing, then the two DDIM steps in reverse order.
            let second = backend.linearCombination([(y, 1 / p), (x, -(1 - p) / p)])
            let first = backend.linearCombination([(x, 1 / p), (second, -(1 - p) / p)])
            var (xInter, yInter) = (first, second)
            if swapped(m) { swap(&xInter, &yInter) }
            var yBefore = backend.linearCombination([(yInter, 1 / a), (model.predictNoise(xInter, timestep: t, conditioning: conditioning), -b / a)])
            var xBefore = backend.linearCombination([(xInter, 1 / a), (model.predictNoise(yBefore, timestep: t, conditioning: conditioning), -b / a)])
            if swapped(m) { swap(&xBefore, &yBefore) }
            (x, y) = (xBefore, yBefore)
            progress?(n - m, n - stop)
        }
        return SamplerState(x: x, index: stop, companions: [y])
    }

    /// (x, y) of a state: y is the companion, or x itself when the chain starts from x alone.
    private func pair(_ state: SamplerState) throws -> (Tensor, Tensor) {
        guard state.companions.count <= 1 else {
            throw DiffusionError("EDICT takes one companion state (the y chain), got \(state.companions.count)")
        }
        let y = state.companions.first ?? state.x
        guard y.shape == state.x.shape else { throw DiffusionError("EDICT's y chain has shape \(y.shape), x \(state.x.shape)") }
        return (state.x, y)
    }
}
