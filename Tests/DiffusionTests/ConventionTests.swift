import Compute
import Testing
@testable import Diffusion

/// The official code's boundary conventions, and the official bugs that belm fixes, each with the test
/// that would have caught it.
@Suite struct ConventionTests {
    let backend = CPUBackend()
    let shape = [1, 2, 3, 3]

    func data(seed: UInt64 = 11) -> Tensor { backend.tensor(testNormals(count: 18, seed: seed), shape: shape) }

    /// Sampling visits every grid timestep once with one call; the first inversion step calls the model at
    /// the clean state with timestep 1 (official), then the grid's timesteps.
    @Test func modelTimesteps() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let model = AnalyticNoisePredictor()
        _ = try OBELMSampler().sample(from: .noise(data()), grid: grid, model: model)
        #expect(model.calls.map(\.timestep) == [999, 888, 777, 666, 555, 444, 333, 222, 111, 0])
        let inverting = AnalyticNoisePredictor()
        _ = try OBELMSampler().invert(.data(data(), grid: grid), grid: grid, model: inverting)
        #expect(inverting.calls.map(\.timestep) == [1, 0, 111, 222, 333, 444, 555, 666, 777, 888])
        let edict = AnalyticNoisePredictor()
        _ = try EDICTSampler().invert(.data(data(), grid: grid), grid: grid, model: edict)
        #expect(edict.calls.count == 20 && edict.calls.first?.timestep == 0 && edict.calls.last?.timestep == 999)
    }

    /// Every sampler reproduces the exact PF-ODE solution when ε does not depend on x (x̄ linear in σ̄).
    /// The official 3-step code used the negative code-convention h in b·h and missed this by O(10).
    /// (Few steps: k ≥ 3 BELM is not zero-stable, its round-off grows about tenfold a step.)
    @Test func linearTrajectoriesAreExact() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 5)
        let eps = testNormals(count: 18, seed: 5)
        let model = ConstantNoisePredictor(noise: eps)
        let xT = data()
        // x̄(σ̄) = x̄_T − (σ̄_T − σ̄) ε ⇒ x at the end (α = 1, σ̄ = 0): x̄_T − σ̄_T ε.
        let expected = backend.linearCombination([(xT, 1 / grid.alpha(0)), (backend.tensor(eps, shape: shape), -grid.sigmaBar(0))])
        let samplers: [any Sampler] = [DDIMSampler(), OBELMSampler(), try BELMSampler(order: 3), try BELMSampler(order: 4),
                                       try BDIASampler(gamma: 0.8), try EDICTSampler(), try EDICTSampler(leapfrog: true)]
        for sampler in samplers {
            let x0 = try sampler.sample(from: .noise(xT), grid: grid, model: model).x
            #expect(meanSquaredError(x0, expected) < 1e-9, "\(sampler)")
        }
    }

    /// The official BDIA inversion's first step forgot ε (`latent_to_intermediate`); its first step must be a
    /// naive DDIM inversion step, like BELM's.
    @Test func bdiaFirstInversionStepUsesNoise() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let model = AnalyticNoisePredictor()
        let x0 = data()
        let ddim = try DDIMSampler().invert(.data(x0, grid: grid), grid: grid, stoppingAt: 9, model: model)
        for sampler in [try BDIASampler(gamma: 0.5) as any Sampler, OBELMSampler()] {
            let first = try sampler.invert(.data(x0, grid: grid), grid: grid, stoppingAt: 9, model: model)
            #expect(meanSquaredError(first.x, ddim.x) == 0, "\(sampler)")
            #expect(first.companions.count == 1 && meanSquaredError(first.companions[0], x0) == 0)
        }
        let withoutNoise = backend.scaled(x0, by: grid.alpha(9) / grid.alpha(10))
        #expect(meanSquaredError(ddim.x, withoutNoise) > 1e-4)
    }

    /// The official SD sampling script drew EDICT's y_T independently of x_T; from noise alone both chains
    /// must start at the same x_T.
    @Test func edictStartsBothChainsFromTheSameNoise() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let model = AnalyticNoisePredictor()
        let xT = data()
        let alone = try EDICTSampler().sample(from: .noise(xT), grid: grid, model: model)
        let paired = try EDICTSampler().sample(from: SamplerState(x: xT, index: 0, companions: [xT]), grid: grid, model: model)
        #expect(meanSquaredError(alone.x, paired.x) == 0 && meanSquaredError(alone.companions[0], paired.companions[0]) == 0)
        let other = try EDICTSampler().sample(from: SamplerState(x: xT, index: 0, companions: [data(seed: 12)]), grid: grid, model: model)
        #expect(meanSquaredError(alone.x, other.x) > 1e-6)
    }

    /// EDICT's first model call of a step is on y (ε(y) updates x); the scripts' ε(x)-first variant is not
    /// invertible. The leapfrog order swaps that on odd grid steps.
    @Test func edictEvaluatesTheOtherChainFirst() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 4)
        final class FirstInputs: NoisePredictor {
            let inner = AnalyticNoisePredictor()
            var inputs: [Tensor] = []
            var backend: any Backend { inner.backend }
            func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
                inputs.append(x)
                return inner.predictNoise(x, timestep: timestep, conditioning: conditioning)
            }
        }
        let x = data(), y = data(seed: 13)
        for leapfrog in [false, true] {
            let model = FirstInputs()
            _ = try EDICTSampler(leapfrog: leapfrog).sample(from: SamplerState(x: x, index: 0, companions: [y]), grid: grid, model: model)
            #expect(meanSquaredError(model.inputs[0], y) == 0)
            let second = try EDICTSampler(leapfrog: leapfrog).sample(from: SamplerState(x: x, index: 0, companions: [y]),
                                                                    grid: TimeGrid(timesteps: Array(grid.timesteps[...1]), alphaBars: Array(grid.alphaBars[...1])),
                                                                    model: FirstInputs())
            // Step 1 (odd) starts from the state after step 0: with leapfrog its first call is on x.
            let afterFirst = second
            let model1 = FirstInputs()
            let oneStepGrid = grid
            _ = try EDICTSampler(leapfrog: leapfrog).sample(from: SamplerState(x: afterFirst.x, index: 1, companions: afterFirst.companions), grid: oneStepGrid, model: model1)
            let expectedFirst = leapfrog ? afterFirst.x : afterFirst.companions[0]
            #expect(meanSquaredError(model1.inputs[0], expectedFirst) == 0, "leapfrog \(leapfrog)")
        }
    }

    @Test func badSettingsAreClearErrors() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let model = AnalyticNoisePredictor()
        let x0 = data()
        #expect(throws: DiffusionError.self) { try BDIASampler(gamma: 0).invert(.data(x0, grid: grid), grid: grid, model: model) }
        #expect(throws: DiffusionError.self) { try BDIASampler(gamma: 1.5) }
        #expect(throws: DiffusionError.self) { try EDICTSampler(p: 1) }
        #expect(throws: DiffusionError.self) { try BELMSampler(order: 1) }
        #expect(throws: DiffusionError.self) { try OBELMSampler().invert(.data(x0, grid: grid), grid: grid, stoppingAt: 10, model: model) }
        #expect(throws: DiffusionError.self) { try OBELMSampler().sample(from: SamplerState(x: x0, index: 10), grid: grid, model: model) }
        #expect(model.calls.isEmpty)
    }
}
