import Compute
import Testing
import VulkanCompute

@Suite struct ElementwiseKernelTests {
    @Test func linearCombinationOfOneToSevenTerms() throws {
        let h = try DifferentialHarness()
        let shape = [3, 5, 7]
        for terms in [1, 2, 3, 4, 5, 7] {
            let inputs = (0..<terms).map { _ in (shape, h.random(105)) }
            let coefficients = (0..<terms).map { Double($0) * 0.37 - 1.1 }
            h.check("linearCombination \(terms)", inputs) { backend, t in
                backend.linearCombination(Array(zip(t, coefficients)))
            }
        }
        h.expectNoValidationMessages()
    }

    @Test func addAndMultiplyBroadcast() throws {
        let h = try DifferentialHarness()
        let a = [2, 3, 5, 7]
        for b in [[2, 3, 5, 7], [3, 1, 1], [7], [2, 1, 5, 1], [1], [1, 3, 1, 7], [5, 7], [2, 3, 1, 1]] {
            let inputs = [(a, h.random(210)), (b, h.random(b.reduce(1, *)))]
            h.check("add \(b)", inputs) { backend, t in backend.add(t[0], t[1]) }
            h.check("multiply \(b)", inputs) { backend, t in backend.multiply(t[0], t[1]) }
        }
        // Shapes whose last collapsed axis is a multiple of 4 take the vectorised kernel.
        let aligned = [2, 3, 4, 8]
        for b in [[2, 3, 4, 8], [3, 1, 1], [8], [2, 1, 4, 1], [1], [4, 8], [3, 4, 1], [2, 1, 1, 8]] {
            let inputs = [(aligned, h.random(192)), (b, h.random(b.reduce(1, *)))]
            h.check("add \(aligned) \(b)", inputs) { backend, t in backend.add(t[0], t[1]) }
            h.check("multiply \(aligned) \(b)", inputs) { backend, t in backend.multiply(t[0], t[1]) }
        }
        h.expectNoValidationMessages()
    }

    @Test func activationsAndGeglu() throws {
        let h = try DifferentialHarness()
        let x = h.random(999, scale: 9) + [0, -0.0, 30, -30, 88, -88, 1e-3, -1e-3, 5]
        for kind in Activation.allCases {
            h.check("\(kind)", [([1008], x)]) { backend, t in backend.activation(t[0], kind) }
        }
        h.check("geglu", [([3, 7, 10], h.random(210, scale: 4))]) { backend, t in backend.geglu(t[0]) }
        h.check("geglu aligned", [([2, 5, 16], h.random(160, scale: 4))]) { backend, t in backend.geglu(t[0]) }
        h.expectNoValidationMessages()
    }

    @Test func manyDispatchesSpanSeveralSubmissions() throws {
        let h = try DifferentialHarness()
        // More dispatches than one submission holds: results must carry across command buffers.
        h.check("600 chained adds", [([17], h.random(17)), ([17], h.random(17))]) { backend, t in
            var x = t[0]
            for _ in 0..<600 { x = backend.add(x, t[1]) }
            return x
        }
        #expect(h.vulkan.submissionCount >= 3)
        h.expectNoValidationMessages()
    }
}
