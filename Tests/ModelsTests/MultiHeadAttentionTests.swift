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

    /// When one head's score matrix is over budget the queries are split into row chunks; softmax is per row,
    /// so the result must not change. 6 queries × 9 keys = 54 scores per head: a budget of 20 gives 2 rows per
    /// chunk, 40 gives chunks of 4 and 2 rows.
    @Test func chunkedQueryRowsMatchOneShot() throws {
        let backend = CPUBackend()
        func attention(budget: Int) throws -> MultiHeadAttention {
            try MultiHeadAttention(ParameterLoader(source: RandomWeights(seed: 11), backend: backend, prefix: "attn"),
                                   queryDim: 12, contextDim: 5, heads: 3, headDim: 4, projectionBias: true, scoreBudget: budget)
        }
        #expect(MultiHeadAttention.chunking(slices: 6, queries: 6, keys: 9, budget: 20) == (1, 2))
        #expect(MultiHeadAttention.chunking(slices: 6, queries: 6, keys: 9, budget: 40) == (1, 4))
        #expect(MultiHeadAttention.chunking(slices: 6, queries: 6, keys: 9, budget: 120) == (2, 6))
        let x = backend.tensor((0..<(2 * 6 * 12)).map { Float(($0 * 29) % 13) / 9 - 0.7 }, shape: [2, 6, 12])
        let context = backend.tensor((0..<(2 * 9 * 5)).map { Float(($0 * 17) % 7) / 5 - 0.5 }, shape: [2, 9, 5])
        let whole = try attention(budget: 1 << 20)(x, context: context).values()
        #expect(try attention(budget: 20)(x, context: context).values() == whole)
        #expect(try attention(budget: 40)(x, context: context).values() == whole)
    }

    /// A backend's binding limit caps the budget: half its largest tensor, in floats.
    @Test func budgetFollowsTheBackendLimit() {
        let cpu = CPUBackend()
        #expect(MultiHeadAttention.effectiveScoreBudget(MultiHeadAttention.defaultScoreBudget, limitBytes: cpu.maxTensorBytes) == MultiHeadAttention.defaultScoreBudget)
        // lavapipe binds 128 MiB: one 4096² head (Stable Diffusion at 512²) per matmul, 64 MiB of scores.
        #expect(MultiHeadAttention.largestScoreChunk(slices: 16, queries: 4096, keys: 4096, budget: (128 << 20) / 8) == 4096 * 4096)
        // The VAE's mid block at 1024² images (16384 positions, one head) goes a row chunk at a time.
        #expect(MultiHeadAttention.largestScoreChunk(slices: 1, queries: 16384, keys: 16384, budget: (128 << 20) / 8) == 1024 * 16384)
    }
}
