import Compute

/// diffusers' Attention core on sequences: q from x, k and v from the context (x itself for self-attention),
/// softmax(q·kᵀ/√d)·v per head, then the output projection. x [B, N, Cq], context [B, M, Cc] → [B, N, Cq].
/// The softmax computes in fp32 on every backend; its input and output are stored at the scores' precision,
/// which `upcast` makes fp32 for fp16 activations.
struct MultiHeadAttention {
    let toQ: Linear
    let toK: Linear
    let toV: Linear
    let toOut: Linear
    let heads: Int
    let headDim: Int
    /// Most attention-score elements one batched matmul may produce. Stable Diffusion at 512² has 4096
    /// positions: a batch of 2 with 8 heads would need 16·4096² scores (1 GiB) at once; computing a few
    /// heads at a time, and when one head is too much a few query rows at a time, keeps every buffer inside
    /// devices' storage-buffer limits. The backend's own limit lowers it further (`effectiveScoreBudget`).
    let scoreBudget: Int
    /// diffusers' `upcast_attention`: q and k are converted to fp32 before the score product, so that the scores
    /// and their softmax are stored in fp32 (the product with v is stored at v's precision again).
    let upcast: Bool

    static let defaultScoreBudget = 1 << 26

    init(_ p: ParameterLoader, queryDim: Int, contextDim: Int, heads: Int, headDim: Int, projectionBias: Bool,
         scoreBudget: Int = defaultScoreBudget, upcast: Bool = false) throws {
        self.scoreBudget = scoreBudget
        self.upcast = upcast
        let inner = heads * headDim
        toQ = try Linear(p.scoped("to_q"), inFeatures: queryDim, outFeatures: inner, bias: projectionBias)
        toK = try Linear(p.scoped("to_k"), inFeatures: contextDim, outFeatures: inner, bias: projectionBias)
        toV = try Linear(p.scoped("to_v"), inFeatures: contextDim, outFeatures: inner, bias: projectionBias)
        toOut = try Linear(p.scoped("to_out.0"), inFeatures: inner, outFeatures: queryDim)
        self.heads = heads
        self.headDim = headDim
    }

    /// The score budget on a backend binding at most `limitBytes` per tensor: at most an eighth of that many
    /// floats (half its bytes), so that the scores, their softmax and the matmul's padded copy of them each stay
    /// a separate, bindable buffer.
    static func effectiveScoreBudget(_ budget: Int = defaultScoreBudget, limitBytes: Int) -> Int {
        max(1, min(budget, limitBytes / 8))
    }

    /// How the work is cut for `slices` (batch·heads) score matrices of `queries` × `keys`: slices per chunk,
    /// and query rows per chunk (all of them unless one slice's matrix exceeds the budget).
    static func chunking(slices: Int, queries: Int, keys: Int, budget: Int) -> (slices: Int, rows: Int) {
        let perSlice = queries * keys
        if perSlice <= budget { return (max(1, min(slices, budget / max(perSlice, 1))), queries) }
        return (1, max(1, min(queries, budget / max(keys, 1))))
    }

    /// The most score elements one chunk holds (what the budget planners of the models check).
    static func largestScoreChunk(slices: Int, queries: Int, keys: Int, budget: Int) -> Int {
        let (s, rows) = chunking(slices: slices, queries: queries, keys: keys, budget: budget)
        return s * rows * keys
    }

    func callAsFunction(_ x: Tensor, context: Tensor? = nil) -> Tensor {
        let backend = x.backend
        let source = context ?? x
        let upcastScores = { (t: Tensor) in self.upcast ? backend.stored(t, as: .fp32) : t }
        let q = upcastScores(splitHeads(toQ(x))), k = upcastScores(splitHeads(toK(source))), v = splitHeads(toV(source))
        let slices = q.shape[0], queries = q.shape[1]
        let (chunk, rows) = Self.chunking(slices: slices, queries: queries, keys: k.shape[1],
                                          budget: Self.effectiveScoreBudget(scoreBudget, limitBytes: backend.maxTensorBytes))
        let mixed: Tensor
        if chunk >= slices && rows >= queries {
            mixed = attend(q, k, v)
        } else {
            mixed = backend.concat(stride(from: 0, to: slices, by: chunk).map { start in
                let range = start..<min(start + chunk, slices)
                let (qs, ks, vs) = (backend.slice(q, axis: 0, range: range), backend.slice(k, axis: 0, range: range),
                                    backend.slice(v, axis: 0, range: range))
                guard rows < queries else { return attend(qs, ks, vs) }
                // Softmax is per query row, so rows of one head can be computed apart and stacked.
                return backend.concat(stride(from: 0, to: queries, by: rows).map { row in
                    attend(backend.slice(qs, axis: 1, range: row..<min(row + rows, queries)), ks, vs)
                }, axis: 1)
            }, axis: 0)
        }
        return toOut(mergeHeads(mixed, batch: x.shape[0]))
    }

    /// softmax(q·kᵀ/√d)·v for [S, N, d] × [S, M, d] × [S, M, d] → [S, N, d].
    private func attend(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> Tensor {
        let backend = q.backend
        let scores = backend.batchedMatmul(q, k, transposeB: true, scale: 1 / Float(headDim).squareRoot())
        return backend.batchedMatmul(backend.softmax(scores), v, transposeB: false, scale: 1)
    }

    /// [B, N, h·d] → [B·h, N, d]
    private func splitHeads(_ x: Tensor) -> Tensor {
        let (batch, length) = (x.shape[0], x.shape[1])
        if heads == 1 { return x }
        return x.backend.permute(x.reshaped([batch, length, heads, headDim]), [0, 2, 1, 3])
            .reshaped([batch * heads, length, headDim])
    }

    /// [B·h, N, d] → [B, N, h·d]
    private func mergeHeads(_ x: Tensor, batch: Int) -> Tensor {
        let length = x.shape[1]
        if heads == 1 { return x }
        return x.backend.permute(x.reshaped([batch, heads, length, headDim]), [0, 2, 1, 3])
            .reshaped([batch, length, heads * headDim])
    }
}

/// A layer that mixes information across an image's positions inside a UNet block: diffusers' spatial
/// self-attention block, or (Stable Diffusion) a transformer block attending to text.
protocol SpatialMixer {
    /// x [B, C, H, W] → [B, C, H, W]; `context` is the cross-attention input, when the model has one.
    func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor
}

/// diffusers' Attention with `_from_deprecated_attn_block` (AttnDownBlock2D, AttnUpBlock2D, UNetMidBlock2D,
/// the VAE's mid block): optional GroupNorm, self-attention over the H·W positions, residual added, the sum
/// divided by the rescale factor.
struct SpatialSelfAttention: SpatialMixer {
    let groupNorm: GroupNorm?
    let attention: MultiHeadAttention
    let rescaleOutputFactor: Double

    /// `normGroups` nil: no group norm (UNetMidBlock2D with scale_shift resnets).
    init(_ p: ParameterLoader, channels: Int, headDim: Int, normGroups: Int?, eps: Double, rescaleOutputFactor: Double) throws {
        groupNorm = try normGroups.map { try GroupNorm(p.scoped("group_norm"), channels: channels, groups: $0, eps: eps) }
        attention = try MultiHeadAttention(p, queryDim: channels, contextDim: channels, heads: channels / headDim,
                                           headDim: headDim, projectionBias: true)
        self.rescaleOutputFactor = rescaleOutputFactor
    }

    func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        let backend = x.backend
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let normed = groupNorm.map { $0(x) } ?? x
        let tokens = backend.permute(normed.reshaped([batch, channels, height * width]), [0, 2, 1])
        let attended = attention(tokens)
        let image = backend.permute(attended, [0, 2, 1]).reshaped([batch, channels, height, width])
        let sum = backend.add(image, x)
        return rescaleOutputFactor == 1 ? sum : backend.scaled(sum, by: 1 / rescaleOutputFactor)
    }
}
