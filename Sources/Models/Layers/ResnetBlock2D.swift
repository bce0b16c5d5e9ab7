import Compute
import Tensors

/// How the time embedding enters a resnet block (diffusers' `resnet_time_scale_shift`).
public enum TimeEmbeddingNorm: String, Sendable {
    /// h + proj(temb), then the second group norm.
    case `default`
    /// group norm, then h·(1 + scale) + shift with (scale, shift) = proj(temb).
    case scaleShift = "scale_shift"
}

/// Settings every resnet block of a model shares.
struct ResnetSettings {
    var groups: Int
    var eps: Double
    /// Width of the time embedding, or nil for models without one (the VAE).
    var timeEmbeddingChannels: Int?
    var timeEmbeddingNorm: TimeEmbeddingNorm = .default
    var outputScaleFactor: Double = 1
}

/// diffusers' ResnetBlock2D: GroupNorm·SiLU → conv → (+ time embedding) → GroupNorm·SiLU → conv, plus a 1×1
/// conv shortcut when the channel count changes; the sum is divided by the output scale factor.
struct ResnetBlock2D {
    let norm1: GroupNorm
    let conv1: Conv2d
    /// For scale_shift its bias already holds the "+1" of (1 + scale), folded in at load time.
    let timeProjection: Linear?
    let timeEmbeddingNorm: TimeEmbeddingNorm
    let norm2: GroupNorm
    let conv2: Conv2d
    let shortcut: Conv2d?
    let outputScaleFactor: Double

    init(_ p: ParameterLoader, inChannels: Int, outChannels: Int, settings: ResnetSettings) throws {
        norm1 = try GroupNorm(p.scoped("norm1"), channels: inChannels, groups: settings.groups, eps: settings.eps)
        conv1 = try Conv2d(p.scoped("conv1"), inChannels: inChannels, outChannels: outChannels, kernel: 3, padding: 1)
        timeEmbeddingNorm = settings.timeEmbeddingNorm
        if let temb = settings.timeEmbeddingChannels {
            let projection = p.scoped("time_emb_proj")
            switch settings.timeEmbeddingNorm {
            case .default:
                timeProjection = try Linear(projection, inFeatures: temb, outFeatures: outChannels)
            case .scaleShift:
                var bias = try projection.host("bias", [2 * outChannels])
                for c in 0..<outChannels { bias.scalars[c] += 1 }
                timeProjection = Linear(weight: try projection.matrixWeight("weight", [2 * outChannels, temb]), bias: p.backend.tensor(bias))
            }
        } else {
            timeProjection = nil
        }
        norm2 = try GroupNorm(p.scoped("norm2"), channels: outChannels, groups: settings.groups, eps: settings.eps)
        conv2 = try Conv2d(p.scoped("conv2"), inChannels: outChannels, outChannels: outChannels, kernel: 3, padding: 1)
        shortcut = inChannels == outChannels ? nil
            : try Conv2d(p.scoped("conv_shortcut"), inChannels: inChannels, outChannels: outChannels, kernel: 1, padding: 0)
        outputScaleFactor = settings.outputScaleFactor
    }

    /// `activatedTimeEmbedding` is SiLU(temb) [B, T], computed once per forward for all blocks.
    func callAsFunction(_ x: Tensor, _ activatedTimeEmbedding: Tensor?) -> Tensor {
        let backend = x.backend
        var h = conv1(norm1(x, silu: true))
        if let timeProjection, let temb = activatedTimeEmbedding {
            let t = timeProjection(temb)
            let (batch, channels) = (h.shape[0], h.shape[1])
            switch timeEmbeddingNorm {
            case .default:
                h = norm2(backend.add(h, t.reshaped([batch, channels, 1, 1])), silu: true)
            case .scaleShift:
                let scale = backend.slice(t, axis: 1, range: 0..<channels).reshaped([batch, channels, 1, 1])
                let shift = backend.slice(t, axis: 1, range: channels..<(2 * channels)).reshaped([batch, channels, 1, 1])
                h = backend.activation(backend.add(backend.multiply(norm2(h), scale), shift), .silu)
            }
        } else {
            h = norm2(h, silu: true)
        }
        h = conv2(h)
        let residual = shortcut.map { $0(x) } ?? x
        let sum = backend.add(residual, h)
        return outputScaleFactor == 1 ? sum : backend.scaled(sum, by: 1 / outputScaleFactor)
    }
}
