import Foundation
import Testing
@testable import VulkanCompute

/// The host-side weight transform U = G g Gᵀ of Winograd F(4×4, 3×3), checked bit for bit against its textbook form.
@Suite struct WinogradWeightTransformTests {
    /// G of F(4×4, 3×3) as nested rows, for the textbook form below.
    static let g: [[Double]] = [
        [1.0 / 4, 0, 0],
        [-1.0 / 6, -1.0 / 6, -1.0 / 6],
        [-1.0 / 6, 1.0 / 6, -1.0 / 6],
        [1.0 / 24, 1.0 / 12, 1.0 / 6],
        [1.0 / 24, -1.0 / 12, 1.0 / 6],
        [0, 0, 1],
    ]

    /// The transform written plainly with nested arrays: each sum starts from zero and adds k = 0, 1, 2 in order.
    static func reference(_ weight: [Float], ci: Int, co: Int, cip: Int, cop: Int) -> [Float] {
        var u = [Float](repeating: 0, count: 36 * cip * cop)
        for o in 0..<co {
            for i in 0..<ci {
                let base = (o * ci + i) * 9
                var gk = [[Double]](repeating: [0, 0, 0], count: 6)
                for r in 0..<6 {
                    for c in 0..<3 {
                        gk[r][c] = (0..<3).reduce(0) { $0 + g[r][$1] * Double(weight[base + 3 * $1 + c]) }
                    }
                }
                for r in 0..<6 {
                    for c in 0..<6 {
                        u[((6 * r + c) * cip + i) * cop + o] = Float((0..<3).reduce(0) { $0 + gk[r][$1] * g[c][$1] })
                    }
                }
            }
        }
        return u
    }

    /// Weights of mixed magnitudes and signs (negative zero included), reproducible from a seed.
    static func weights(count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if index % 97 == 0 { return -0.0 }
            let unit = Float(state >> 40) / Float(1 << 24) * 2 - 1
            return unit * [1e-3, 0.1, 1, 30][Int(state >> 20) % 4]
        }
    }

    @Test(arguments: [(8, 4, 8, 4), (5, 7, 8, 8), (32, 24, 32, 64), (3, 1, 4, 64)])
    func matchesTheTextbookFormBitForBit(ci: Int, co: Int, cip: Int, cop: Int) {
        let weight = Self.weights(count: co * ci * 9, seed: UInt64(ci * 1000 + co))
        let fast = VulkanBackend.winogradWeights(weight, ci: ci, co: co, cip: cip, cop: cop)
        let plain = Self.reference(weight, ci: ci, co: co, cip: cip, cop: cop)
        Self.expectBitIdentical(fast, plain)
    }

    /// Reports how many values differ in their bits (not the values themselves: U has up to a million of them).
    static func expectBitIdentical(_ fast: [Float], _ plain: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(fast.count == plain.count, sourceLocation: sourceLocation)
        let differing = zip(fast, plain).enumerated().filter { $1.0.bitPattern != $1.1.bitPattern }.map(\.offset)
        let differingCount = differing.count
        #expect(differingCount == 0, "\(differingCount) of \(fast.count) values differ, first at \(differing.first ?? -1)",
                sourceLocation: sourceLocation)
    }

    /// An Inception-sized weight (192 → 192 channels) transformed bit-identically; prints both forms' times.
    @Test func inceptionSizedWeightMatchesAndPrintsTimes() {
        let (ci, co) = (192, 192)
        let weight = Self.weights(count: co * ci * 9, seed: 7)
        let clock = ContinuousClock()
        var fast: [Float] = [], plain: [Float] = []
        let fastTime = clock.measure { fast = VulkanBackend.winogradWeights(weight, ci: ci, co: co, cip: ci, cop: co) }
        let plainTime = clock.measure { plain = Self.reference(weight, ci: ci, co: co, cip: ci, cop: co) }
        print("winograd weight transform 192×192×3×3: flat \(fastTime), nested-array form \(plainTime)")
        Self.expectBitIdentical(fast, plain)
    }
}
