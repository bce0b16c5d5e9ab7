import Compute
import Testing
@testable import Diffusion

@Suite struct GuidanceTests {
    @Test func guidedNoiseIsBatchedAndMatchesTheFormula() throws {
        let backend = CPUBackend()
        let x = backend.tensor(testNormals(count: 2 * 12, seed: 9), shape: [2, 3, 2, 2])
        let model = AnalyticNoisePredictor()
        let unconditional = model.predictNoise(x, timestep: 500, conditioning: .classes([9, 9])).values()
        let conditional = model.predictNoise(x, timestep: 500, conditioning: .classes([1, 4])).values()
        let counting = AnalyticNoisePredictor()
        let guided = GuidedNoisePredictor(model: counting, scale: 3, unconditional: .classes([9, 9]))
        let result = guided.predictNoise(x, timestep: 500, conditioning: .classes([1, 4])).values()
        #expect(counting.calls.count == 1 && counting.calls[0].batch == 4)
        for i in result.indices {
            let want = Double(unconditional[i]) + 3 * Double(conditional[i] - unconditional[i])
            #expect(abs(Double(result[i]) - want) < 1e-5)
        }
        // Conditionings that cannot be stacked take two calls and give the same formula.
        let mixed = AnalyticNoisePredictor()
        let twoCalls = GuidedNoisePredictor(model: mixed, scale: 2, unconditional: .unconditional)
        let plain = model.predictNoise(x, timestep: 10, conditioning: .unconditional).values()
        let classed = model.predictNoise(x, timestep: 10, conditioning: .classes([2, 2])).values()
        let out = twoCalls.predictNoise(x, timestep: 10, conditioning: .classes([2, 2])).values()
        #expect(mixed.calls.count == 2)
        for i in out.indices { #expect(abs(Double(out[i]) - (2 * Double(classed[i]) - Double(plain[i]))) < 1e-5) }
    }
}
