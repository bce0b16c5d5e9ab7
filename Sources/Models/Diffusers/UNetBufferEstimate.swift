extension UNetArchitecture {
    /// Estimated largest single buffer, in bytes, of one forward pass over `batch` samples of `height` × `width`
    /// with `contextLength` text tokens: conv2d's zero-padded NHWC working copy of its input (a one-pixel border,
    /// channels padded to a multiple of 4; decoder inputs counted with their skip connections), the
    /// transformers' GEGLU projection, and the attention score chunks MultiHeadAttention makes on a backend
    /// binding at most `limitBytes` (rows padded to a multiple of 4 for the second matmul).
    func largestBufferBytes(batch n: Int, height h: Int, width w: Int, contextLength: Int, limitBytes: Int) -> Int {
        let levels = blockOutChannels.count
        let scoreBudget = MultiHeadAttention.effectiveScoreBudget(limitBytes: limitBytes)
        let padded = { (c: Int) in (c + 3) / 4 * 4 }
        var largest = n * (h + 2) * (w + 2) * padded(inChannels)
        for level in 0..<levels {
            let (lh, lw) = (max(1, h >> level), max(1, w >> level))
            let positions = lh * lw, channels = blockOutChannels[level]
            // The widest conv input at this level: a decoder resnet's input with its skip, bounded by twice the
            // widest channel count present here or one level deeper (whose upsampler's conv runs here).
            let widest = max(channels, blockOutChannels[min(level + 1, levels - 1)])
            largest = max(largest, n * (lh + 2) * (lw + 2) * padded(2 * widest))
            let mixers = [downMixers[level], upMixers[levels - 1 - level], level == levels - 1 ? midMixer : nil]
            for mixer in mixers.compactMap({ $0 }) {
                let (heads, keyLengths): (Int, [Int])
                switch mixer {
                case let .selfAttention(headDim, _, _, _):
                    (heads, keyLengths) = (headDim.map { channels / $0 } ?? 1, [positions])
                case let .transformer(settings):
                    (heads, keyLengths) = (settings.heads, [positions, contextLength])
                    largest = max(largest, n * positions * 8 * channels)  // GEGLU: Linear(C → 2·4C)
                }
                for keys in keyLengths where keys > 0 {
                    let chunk = MultiHeadAttention.largestScoreChunk(slices: n * heads, queries: positions, keys: keys, budget: scoreBudget)
                    largest = max(largest, chunk / keys * padded(keys))
                }
            }
        }
        return 4 * largest
    }
}

extension UNet2DConditionConfiguration {
    /// The UNet's estimated largest buffer (see `DiffusersUNet.largestBufferBytes`) on a backend binding at
    /// most `limitBytes` per tensor, for checking a size before building the model.
    public func largestBufferBytes(batch: Int, latentHeight: Int, latentWidth: Int, contextLength: Int, limitBytes: Int) -> Int {
        architecture.largestBufferBytes(batch: batch, height: latentHeight, width: latentWidth, contextLength: contextLength, limitBytes: limitBytes)
    }
}

extension DiffusersUNet {
    /// Estimated largest single buffer, in bytes, of a forward pass over `batch` samples of `height` × `width`
    /// (with `contextLength` text tokens) on this UNet's backend; `forward` refuses sizes over the backend's
    /// `maxTensorBytes` with an error saying so, rather than stopping inside an op.
    public func largestBufferBytes(batch: Int, height: Int, width: Int, contextLength: Int = 0) -> Int {
        architecture.largestBufferBytes(batch: batch, height: height, width: width, contextLength: contextLength,
                                        limitBytes: backend.maxTensorBytes)
    }
}
