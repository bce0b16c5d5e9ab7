import Foundation
import Compute
import Testing
@testable import Diffusion

/// Exact inversion: invert data to x_T, sample back, compare. BELM, EDICT and BDIA must come back to
/// float32 round-off; DDIM must not, and must get better with more steps.
@Suite struct InversionTests {
    static let shape = [2, 3, 4, 4]

    func data() -> Tensor {
        CPUBackend().tensor(testNormals(count: Self.shape.reduce(1, *), seed: 7).map { 0.8 * tanh($0) }, shape: Self.shape)
    }

    func roundTrip(_ sampler: any Sampler, steps: Int, freeze: Int = 0) throws -> Double {
        let model = AnalyticNoisePredictor()
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: steps)
        let x0 = data()
        let inverted = try sampler.invert(.data(x0, grid: grid), grid: grid, stoppingAt: freeze, model: model)
        let back = try sampler.sample(from: inverted, grid: grid, model: model)
        return meanSquaredError(back.x, x0)
    }

    /// BDIA's inversion divides by γ every step, so with γ < 1 float32 round-off grows like γ^(−N)
    /// (measured below); the exactness claim is for γ near 1, the range its authors recommend for editing.
    static let exactSamplers: [any Sampler] = [
        OBELMSampler(), try! BDIASampler(gamma: 1), try! BDIASampler(gamma: 0.96), try! EDICTSampler(p: 0.93),
        try! EDICTSampler(p: 0.93, leapfrog: true),
    ]

    @Test(arguments: [10, 20, 50, 100])
    func exactSamplersReconstruct(steps: Int) throws {
        for sampler in Self.exactSamplers {
            let mse = try roundTrip(sampler, steps: steps)
            print("round trip \(sampler) \(steps) steps: MSE \(mse)")
            // The data's mean square is about 0.3: this is round-off relative to the data, not a method error.
            #expect(mse < 1e-8, "\(sampler) at \(steps) steps: MSE \(mse)")
        }
    }

    @Test func ddimIsNotExactAndImprovesWithSteps() throws {
        let errors = try [10, 20, 50, 100].map { try roundTrip(DDIMSampler(), steps: $0) }
        print("round trip DDIM 10/20/50/100 steps: MSE \(errors)")
        #expect(errors[0] > 1e-6)
        #expect(errors[3] > 1e-9)
        for i in 1..<errors.count { #expect(errors[i] < errors[i - 1], "\(errors)") }
    }

    /// BDIA with a small γ is exact in exact arithmetic but its inversion amplifies round-off by 1/γ a step.
    @Test func bdiaSmallGammaAmplifiesRoundOff() throws {
        let errors = try [10, 20, 50].map { try roundTrip(BDIASampler(gamma: 0.5), steps: $0) }
        print("round trip BDIA γ = 0.5, 10/20/50 steps: MSE \(errors)")
        #expect(errors[0] < 1e-10)
        #expect(errors[2] > 1e3 * errors[0])
    }

    /// k ≥ 3 BELM is not zero-stable, so its round-off grows with the step count: exact at few steps only.
    @Test func threeStepBELMReconstructsAtFewSteps() throws {
        let mse = try roundTrip(BELMSampler(order: 3), steps: 5)
        print("round trip BELM order 3, 5 steps: MSE \(mse)")
        #expect(mse < 1e-8, "MSE \(mse)")
    }

    /// Partial inversion to a freeze step and partial sampling from it are inverses too.
    @Test func freezeStepRoundTrip() throws {
        for sampler in Self.exactSamplers {
            let mse = try roundTrip(sampler, steps: 20, freeze: 6)
            #expect(mse < 1e-10, "\(sampler): MSE \(mse)")
        }
    }

    /// Sampling then inverting the result with its companions is exact too (the chain is a bijection).
    /// On the official grid the last step (t = 0 → ᾱ = 1) is tiny next to the one before it, so solving it
    /// for x_{N−2} divides by (h/H)² ≈ 0.008 and magnifies round-off: this test uses a grid uniform in σ̄.
    @Test func sampleThenInvertWithCompanions() throws {
        let model = AnalyticNoisePredictor()
        let sigmaBars = (0...10).map { 3 - 0.29 * Double($0) }
        let grid = TimeGrid(timesteps: (0...10).map { 900 - 90 * $0 }, alphaBars: sigmaBars.map { 1 / (1 + $0 * $0) })
        let noise = CPUBackend().tensor(testNormals(count: 96, seed: 3), shape: Self.shape)
        for sampler in Self.exactSamplers {
            let sampled = try sampler.sample(from: .noise(noise), grid: grid, model: model)
            let back = try sampler.invert(sampled, grid: grid, model: model)
            #expect(meanSquaredError(back.x, noise) < 1e-10, "\(sampler)")
        }
    }
}
