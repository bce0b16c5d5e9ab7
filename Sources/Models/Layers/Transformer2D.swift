import Compute

/// diffusers' FeedForward with GEGLU: Linear(dim → 2·inner), h·gelu(gate), Linear(inner → dim).
struct GEGLUFeedForward {
    let projectIn: Linear
    let projectOut: Linear

    init(_ p: ParameterLoader, dim: Int, multiplier: Int = 4) throws {
        let inner = dim * multiplier
        projectIn = try Linear(p.scoped("net.0.proj"), inFeatures: dim, outFeatures: 2 * inner)
        projectOut = try Linear(p.scoped("net.2"), inFeatures: inner, outFeatures: dim)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { projectOut(x.backend.geglu(projectIn(x))) }
}

/// diffusers' BasicTransformerBlock with layer norms (Stable Diffusion): self-attention, cross-attention to
/// the text, GEGLU feed-forward, each pre-normed and added back. Attention projections have no bias.
struct BasicTransformerBlock {
    let norm1: LayerNorm
    let selfAttention: MultiHeadAttention
    let norm2: LayerNorm
    let crossAttention: MultiHeadAttention
    let norm3: LayerNorm
    let feedForward: GEGLUFeedForward

    init(_ p: ParameterLoader, dim: Int, heads: Int, headDim: Int, contextDim: Int, normEps: Double = 1e-5, upcastAttention: Bool = false) throws {
        norm1 = try LayerNorm(p.scoped("norm1"), features: dim, eps: normEps)
        selfAttention = try MultiHeadAttention(p.scoped("attn1"), queryDim: dim, contextDim: dim, heads: heads, headDim: headDim, projectionBias: false,
                                               upcast: upcastAttention)
        norm2 = try LayerNorm(p.scoped("norm2"), features: dim, eps: normEps)
        crossAttention = try MultiHeadAttention(p.scoped("attn2"), queryDim: dim, contextDim: contextDim, heads: heads, headDim: headDim, projectionBias: false,
                                                upcast: upcastAttention)
        norm3 = try LayerNorm(p.scoped("norm3"), features: dim, eps: normEps)
        feedForward = try GEGLUFeedForward(p.scoped("ff"), dim: dim)
    }

    /// x [B, N, dim], context [B, M, contextDim]
    func callAsFunction(_ x: Tensor, context: Tensor) -> Tensor {
        let backend = x.backend
        var h = backend.add(selfAttention(norm1(x)), x)
        h = backend.add(crossAttention(norm2(h), context: context), h)
        return backend.add(feedForward(norm3(h)), h)
    }
}

/// What a Transformer2DModel inside a UNet level looks like (from the UNet's config).
struct TransformerSettings {
    var heads: Int
    var layers: Int
    var contextDim: Int
    /// SD2 projects in and out with Linear layers; SD1 with 1×1 convolutions (the same numbers, other shapes).
    var linearProjection: Bool
    var groups: Int
    /// Attention scores in fp32 whatever the activations' precision (`upcast_attention`).
    var upcastAttention = false
}

/// diffusers' Transformer2DModel on continuous input: GroupNorm (eps 1e-6), project in, transformer blocks
/// over the H·W positions, project out, add the input.
struct Transformer2D: SpatialMixer {
    let norm: GroupNorm
    let projectIn: Linear
    let blocks: [BasicTransformerBlock]
    let projectOut: Linear

    init(_ p: ParameterLoader, channels: Int, settings s: TransformerSettings) throws {
        norm = try GroupNorm(p.scoped("norm"), channels: channels, groups: s.groups, eps: 1e-6)
        let headDim = channels / s.heads
        let inner = s.heads * headDim
        // A 1×1 convolution is a linear map over channels; load it as one (weights [out, in, 1, 1] → [out, in]).
        projectIn = try Linear(p.scoped("proj_in"), inFeatures: channels, outFeatures: inner)
        blocks = try (0..<s.layers).map {
            try BasicTransformerBlock(p.scoped("transformer_blocks.\($0)"), dim: inner, heads: s.heads, headDim: headDim, contextDim: s.contextDim,
                                      upcastAttention: s.upcastAttention)
        }
        projectOut = try Linear(p.scoped("proj_out"), inFeatures: inner, outFeatures: channels)
    }

    func callAsFunction(_ x: Tensor, context: Tensor?) -> Tensor {
        guard let context else { preconditionFailure("Transformer2D needs encoder hidden states") }
        let backend = x.backend
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var h = backend.permute(norm(x).reshaped([batch, channels, height * width]), [0, 2, 1])
        h = projectIn(h)
        for block in blocks { h = block(h, context: context) }
        h = projectOut(h)
        return backend.add(backend.permute(h, [0, 2, 1]).reshaped([batch, channels, height, width]), x)
    }
}
