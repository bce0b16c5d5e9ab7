import Foundation
import Testing
@testable import Diffusion

/// Sampler coefficients against the paper's closed forms and the golden values of the official setup.
@Suite struct CoefficientTests {
    /// O-BELM on SD1.5, 10 linspace steps, last step to ᾱ = 1: coefficients on (x_{i+1}, x_i, ε) computed
    /// in float64 from the official code's formulas.
    @Test func stableDiffusion15TenStepGolden() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let sampler = OBELMSampler()
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 2e-9 }
        let first = sampler.coefficients(from: 0, order: 1, grid: grid)
        #expect(close(first.states[0], 1.8534820209) && close(first.noises[0], -0.8571952105), "\(first)")
        let golden: [Int: (Double, Double, Double)] = [
            1: (0.7063163442, 1.2946501531, -1.0116497435),
            4: (0.7193512608, 0.7966227440, -0.5868850583),
            8: (2.0678029349, -0.8035382298, -0.7888049085),
            9: (0.0078669147, 0.9930408338, -0.0316730395),
        ]
        for (i, (older, newer, eps)) in golden {
            let c = sampler.coefficients(from: i, order: 2, grid: grid)
            #expect(close(c.states[1], older) && close(c.states[0], newer) && close(c.noises[0], eps), "step \(i): \(c)")
            // The general k-step solver gives the same step.
            let general = try BELMSampler(order: 2).coefficients(from: i, order: 2, grid: grid)
            for (x, y) in zip(general.states + general.noises, c.states + c.noises) { #expect(abs(x - y) < 1e-12) }
        }
    }

    /// The 3-step closed form [BELM paper eq 29], h = h_i, h1 = h_{i+1}, h2 = h_{i+2} > 0.
    @Test func threeStepMatchesClosedForm() {
        for (h, h1, h2) in [(0.3, 0.5, 0.7), (1.0, 1.0, 1.0), (0.05, 0.4, 2.5), (2.0, 0.7, 0.1)] {
            let c = BELMCoefficients(steps: [h, h1, h2])
            let a1 = -(h + h1) * (h + h1) * (3 * h * h * h1 + 2 * h * h * h2 + 2 * h * h1 * h1 + 4 * h * h1 * h2 + 2 * h * h2 * h2 - h1 * h1 * h1 - 2 * h1 * h1 * h2 - h1 * h2 * h2)
                / (h1 * h1 * h1 * (h1 + h2) * (h1 + h2))
            let a2 = h * h * (-h * h * h1 + 2 * h * h * h2 - 2 * h * h1 * h1 + 4 * h * h1 * h2 + 2 * h * h2 * h2 - h1 * h1 * h1 + 2 * h1 * h1 * h2 + 3 * h1 * h2 * h2)
                / (h1 * h1 * h1 * h2 * h2)
            let a3 = h * h * (h + h1) * (h + h1) / (h2 * h2 * (h1 + h2) * (h1 + h2))
            let b1 = -(h + h1) * (h + h1) * (h + h1 + h2) / (h1 * h1 * (h1 + h2))
            let b2 = -h * h * (h + h1) * (h + h1 + h2) / (h1 * h1 * h1 * h2)
            for (got, want) in zip(c.a + c.b, [a1, a2, a3, b1, b2]) {
                #expect(abs(got - want) <= 1e-9 * max(1, abs(want)), "h = \((h, h1, h2)): \(got) vs \(want)")
            }
        }
        // Uniform steps: a = (−9, 9, 1), b = (−6, −6).
        let uniform = BELMCoefficients(steps: [1, 1, 1])
        for (got, want) in zip(uniform.a + uniform.b, [-9.0, 9, 1, -6, -6]) { #expect(abs(got - want) < 1e-10) }
    }

    /// A k-step BELM step is exact on x̄ polynomial in σ̄ of degree ≤ 2k − 2 (ε = dx̄/dσ̄).
    @Test func kStepIsExactOnPolynomials() {
        for steps in [[0.4, 0.9], [0.3, 0.5, 0.2], [0.2, 0.25, 0.3, 0.35]] {
            let c = BELMCoefficients(steps: steps)
            let k = steps.count
            var reach: [Double] = []
            for step in steps { reach.append((reach.last ?? 0) + step) }
            for degree in 0...(2 * k - 2) {
                let p = { (s: Double) in Foundation.pow(s + 0.1, Double(degree)) }
                let dp = { (s: Double) in degree == 0 ? 0 : Double(degree) * Foundation.pow(s + 0.1, Double(degree - 1)) }
                var value = 0.0
                for j in 0..<k { value += c.a[j] * p(reach[j]) }
                for j in 0..<(k - 1) { value += c.b[j] * steps[j] * dp(reach[j]) }
                #expect(abs(value - p(0)) < 1e-9, "k = \(k), degree \(degree): \(value) vs \(p(0))")
            }
        }
    }

    /// BDIA as a BELM [paper eq 38] and γ = 0 is DDIM.
    @Test func bdiaReducesToDDIM() throws {
        let grid = try TimeGrid(schedule: .stableDiffusion15, steps: 10)
        let ddim = MultistepCoefficients.ddim(from: 4, grid: grid)
        let zero = try BDIASampler(gamma: 0).coefficients(from: 4, order: 2, grid: grid)
        #expect(abs(zero.states[0] - ddim.states[0]) < 1e-12 && zero.states[1] == 0 && abs(zero.noises[0] - ddim.noises[0]) < 1e-12)
        let gamma = 0.7, m = 4
        let c = try BDIASampler(gamma: gamma).coefficients(from: m, order: 2, grid: grid)
        // a_{i,2} on x̄: γ α_{i+1}/α_{i−1} (paper indices) ⇒ on x: γ.
        #expect(abs(c.states[1] - gamma) < 1e-12)
        let h = grid.sigmaBar(m) - grid.sigmaBar(m + 1), hPrevious = grid.sigmaBar(m - 1) - grid.sigmaBar(m)
        let ratio = grid.alpha(m - 1) / grid.alpha(m + 1)
        let b1 = -1 - gamma * ratio * hPrevious / h
        #expect(abs(c.noises[0] - b1 * h * grid.alpha(m + 1)) < 1e-9)
    }
}
