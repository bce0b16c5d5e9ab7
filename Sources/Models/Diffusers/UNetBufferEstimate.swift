extension UNet2DConditionConfiguration {
    /// Estimated largest single buffer, in bytes, of one forward pass over `batch` latents of `height` × `width`
    /// with `contextLength` text tokens: conv2d's zero-padded NHWC working copy of its input (a one-pixel border,
    /// channels padded to a multiple of 4; decoder inputs counted with their skip connections), the
    /// transformers' GEGLU projection, and the attention score chunks MultiHeadAttention makes on a backend
    /// binding at most `limitBytes` (rows padded to a multiple of 4 for the second matmul). What a caller checks
    /// against `Backend.maxTensorBytes` before a run at a new size.
    public func largestBufferBytes(batch n: Int, latentHeight h: Int, latentWidth w: Int, contextLength: Int, limitBytes: Int) -> Int {
        let scoreBudget = MultiHeadAttention.effectiveScoreBudget(limitBytes: limitBytes)
        let levels = blockOutChannels.count
        let heads = attentionHeads.max() ?? 1
        let padded = { (c: Int) in (c + 3) / 4 * 4 }
        var largest = n * (h + 2) * (w + 2) * padded(inChannels)
        for level in 0..<levels {
            let (lh, lw) = (max(1, h >> level), max(1, w >> level))
            // The widest conv input at this level: a decoder resnet's input with its skip, bounded by twice the
            // widest channel count present here or one level deeper.
            let here = max(blockOutChannels[level], blockOutChannels[min(level + 1, levels - 1)])
            largest = max(largest, n * (lh + 2) * (lw + 2) * padded(2 * here))
            let attends = downBlockCrossAttention[level] || upBlockCrossAttention[levels - 1 - level]
                || (level == levels - 1 && hasMidBlock)
            guard attends else { continue }
            let positions = lh * lw, channels = blockOutChannels[level]
            largest = max(largest, n * positions * 8 * channels)  // GEGLU: Linear(C → 2·4C)
            for keys in [positions, contextLength] {
                let chunk = MultiHeadAttention.largestScoreChunk(slices: n * heads, queries: positions, keys: keys, budget: scoreBudget)
                largest = max(largest, chunk / keys * padded(keys))
            }
        }
        return 4 * largest
    }

}
