import Compute
import Testing
@testable import Models

@Suite struct MultiHeadAttentionTests {
    /// Computing a few heads at a time (to bound the score buffers) must give the same numbers as all at once.
    @Test func chunkedHeadsMatchOneShot() throws {
        let backend = CPUBackend()
        func attention(budget: Int) throws -> MultiHeadAttention {
            try MultiHeadAttention(ParameterLoader(source: RandomWeights(seed: 7), backend: backend, prefix: "attn"),
                                   queryDim: 12, contextDim: 5, heads: 3, headDim: 4, projectionBias: false, scoreBudget: budget)
        }
        let x = backend.tensor((0..<(2 * 6 * 12)).map { Float(($0 * 37) % 11) / 7 - 0.6 }, shape: [2, 6, 12])
        let context = backend.tensor((0..<(2 * 9 * 5)).map { Float(($0 * 13) % 7) / 5 - 0.5 }, shape: [2, 9, 5])
        let whole = try attention(budget: 1 << 20)(x, context: context).values()
        // 6·9 = 54 scores per head: a budget of 120 forces two heads per matmul over the 6 (batch × head) slices.
        let chunked = try attention(budget: 120)(x, context: context).values()
        #expect(whole == chunked)
        #expect(try attention(budget: 1)(x, context: context).values() == whole)
    }
}
