import Compute

/// One explicit step of a linear multistep method written on x (not x̄), from state m to m + 1:
/// x_{m+1} = Σ_j states[j] · x_{m−j} + Σ_j noises[j] · ε(x_{m−j}, t_{m−j}), j = 0 being the newest state.
/// With fewer noise than state weights the oldest state enters without ε ("backward explicit"), so the
/// step can be solved for that state: that is what makes BELM and BDIA exactly invertible.
public struct MultistepCoefficients: Sendable, Equatable {
    public var states: [Double]
    public var noises: [Double]

    public init(states: [Double], noises: [Double]) {
        self.states = states
        self.noises = noises
    }

    /// The DDIM step m → m + 1 [BELM paper eq 7].
    public static func ddim(from m: Int, grid: TimeGrid) -> MultistepCoefficients {
        let ratio = grid.alpha(m + 1) / grid.alpha(m)
        return MultistepCoefficients(states: [ratio], noises: [grid.sigma(m + 1) - ratio * grid.sigma(m)])
    }
}

/// The part of a sampler that says what one step is; `MultistepChain` does the rest.
public protocol MultistepRule: Sendable {
    /// How many states a step combines once the chain has started (1 for DDIM, 2 for O-BELM and BDIA).
    var statesPerStep: Int { get }
    /// The step m → m + 1 using the `order` states m, m − 1, …, m − order + 1 (order ≤ statesPerStep;
    /// smaller while the chain starts up; order 1 is expected to be the DDIM step).
    func coefficients(from m: Int, order: Int, grid: TimeGrid) -> MultistepCoefficients
}

/// Every multistep rule is a sampler: `MultistepChain` runs it both ways.
extension Sampler where Self: MultistepRule {
    public func sample(from start: SamplerState, grid: TimeGrid, model: any NoisePredictor,
                       conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState {
        try MultistepChain.sample(self, from: start, grid: grid, model: model, conditioning: conditioning, progress: progress)
    }

    public func invert(_ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int, model: any NoisePredictor,
                       conditioning: Conditioning, progress: StepProgress?) throws -> SamplerState {
        try MultistepChain.invert(self, end, grid: grid, stoppingAt: stop, model: model, conditioning: conditioning, progress: progress)
    }
}

/// Runs a multistep rule forwards and backwards with the official BELM code's start-up:
/// - sampling from x alone starts with a DDIM step, then uses 2, 3, … states up to `statesPerStep`;
///   given the companions an inversion returned, it starts right away at full order (exact reconstruction);
/// - inversion from data starts with a naive DDIM inversion step (ε at the clean state), then solves each
///   full-order step for its oldest state, the exact inverse of the step sampling will take.
/// Each step is one `linearCombination`; ε of a state is computed once and reused while needed.
public enum MultistepChain {
    public static func sample(_ rule: some MultistepRule, from start: SamplerState, grid: TimeGrid,
                              model: any NoisePredictor, conditioning: Conditioning,
                              progress: StepProgress?) throws -> SamplerState {
        let n = grid.stepCount
        guard start.index >= 0, start.index < n else {
            throw DiffusionError("sampling starts at state \(start.index), which must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
        let k = rule.statesPerStep
        guard start.companions.count <= max(k - 1, 0), start.index + start.companions.count <= n else {
            throw DiffusionError("sampling got \(start.companions.count) companion states at state \(start.index); this sampler takes at most \(k - 1)")
        }
        var states: [Int: Tensor] = [start.index: start.x]
        for (i, companion) in start.companions.enumerated() {
            guard companion.shape == start.x.shape else {
                throw DiffusionError("companion state \(i) has shape \(companion.shape), the state \(start.x.shape)")
            }
            states[start.index + 1 + i] = companion
        }
        var noises = NoiseCache(model: model, grid: grid, conditioning: conditioning)
        var m = start.index + start.companions.count
        let first = m
        while m < n {
            let order = min(k, m - start.index + 1)
            let c = rule.coefficients(from: m, order: order, grid: grid)
            var terms: [(Tensor, Double)] = []
            for (j, weight) in c.states.enumerated() { terms.append((states[m - j]!, weight)) }
            for (j, weight) in c.noises.enumerated() { terms.append((noises.noise(at: m - j, of: states[m - j]!), weight)) }
            states[m + 1] = start.x.backend.linearCombination(terms)
            m += 1
            states[m - k] = nil
            noises.forget(below: m - k + 1)
            progress?(m - first, n - first)
        }
        let kept = (max(start.index, n - k + 1)..<n).reversed().map { states[$0]! }
        return SamplerState(x: states[n]!, index: n, companions: kept)
    }

    public static func invert(_ rule: some MultistepRule, _ end: SamplerState, grid: TimeGrid, stoppingAt stop: Int,
                              model: any NoisePredictor, conditioning: Conditioning,
                              progress: StepProgress?) throws -> SamplerState {
        let n = grid.stepCount
        guard end.index == n else {
            throw DiffusionError("inversion starts from the data end (state \(n)), not state \(end.index)")
        }
        guard stop >= 0, stop < n else {
            throw DiffusionError("freezeStep \(stop) must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
        let k = rule.statesPerStep
        guard end.companions.count <= max(k - 1, 0), n - end.companions.count >= stop else {
            throw DiffusionError("inversion got \(end.companions.count) companion states; this sampler takes at most \(k - 1)")
        }
        var states: [Int: Tensor] = [n: end.x]
        for (i, companion) in end.companions.enumerated() { states[n - 1 - i] = companion }
        var noises = NoiseCache(model: model, grid: grid, conditioning: conditioning)
        var j = n - 1 - end.companions.count
        let first = j
        while j >= stop {
            let order = min(k, n - j)
            let terms: [(Tensor, Double)]
            if order >= 2 {
                // Solve the order-`order` step (j + order − 1) → (j + order) for its oldest state x_j.
                let top = j + order - 1
                let c = rule.coefficients(from: top, order: order, grid: grid)
                precondition(c.noises.count < order, "an invertible step takes no ε at its oldest state")
                let oldest = c.states[order - 1]
                guard oldest != 0 else {
                    throw DiffusionError("this sampler's step does not depend on its oldest state here, so it cannot be inverted")
                }
                var t: [(Tensor, Double)] = [(states[top + 1]!, 1 / oldest)]
                for i in 0..<(order - 1) { t.append((states[top - i]!, -c.states[i] / oldest)) }
                for (i, weight) in c.noises.enumerated() { t.append((noises.noise(at: top - i, of: states[top - i]!), -weight / oldest)) }
                terms = t
            } else {
                // Naive DDIM inversion [BELM paper eq 8]: ε at the less noisy state j + 1.
                let ratio = grid.alpha(j) / grid.alpha(j + 1)
                terms = [(states[j + 1]!, ratio),
                         (noises.noise(at: j + 1, of: states[j + 1]!), grid.sigma(j) - ratio * grid.sigma(j + 1))]
            }
            states[j] = end.x.backend.linearCombination(terms)
            states[j + k] = nil
            noises.forget(above: j + k - 1)
            progress?(first - j + 1, first - stop + 1)
            j -= 1
        }
        let kept = ((stop + 1)..<min(stop + k, n + 1)).map { states[$0]! }
        return SamplerState(x: states[stop]!, index: stop, companions: kept)
    }
}

/// ε of each state, computed on first use and dropped when the chain has moved past it.
struct NoiseCache {
    let model: any NoisePredictor
    let grid: TimeGrid
    let conditioning: Conditioning
    private var cache: [Int: Tensor] = [:]

    init(model: any NoisePredictor, grid: TimeGrid, conditioning: Conditioning) {
        self.model = model
        self.grid = grid
        self.conditioning = conditioning
    }

    mutating func noise(at k: Int, of x: Tensor) -> Tensor {
        if let known = cache[k] { return known }
        let eps = model.predictNoise(x, timestep: grid.timesteps[k], conditioning: conditioning)
        cache[k] = eps
        return eps
    }

    mutating func forget(below k: Int) { cache = cache.filter { $0.key >= k } }
    mutating func forget(above k: Int) { cache = cache.filter { $0.key <= k } }
}
