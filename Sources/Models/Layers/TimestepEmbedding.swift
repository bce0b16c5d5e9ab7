import Compute
import Foundation
import Tensors

/// diffusers' `get_timestep_embedding` (the `Timesteps` module), computed on the host: it is tiny, and the
/// timesteps are host numbers anyway. Evaluated in float32 step by step as torch does, so the embedding
/// matches to rounding even at t≈1000 where sin's argument is large.
public struct SinusoidalTimestepEmbedding: Sendable {
    public let channels: Int
    public let flipSinToCos: Bool
    public let frequencyShift: Double

    public init(channels: Int, flipSinToCos: Bool, frequencyShift: Double) {
        self.channels = channels
        self.flipSinToCos = flipSinToCos
        self.frequencyShift = frequencyShift
    }

    /// [timesteps.count, channels]
    public func callAsFunction(_ timesteps: [Double]) -> HostTensor {
        let half = channels / 2
        let logPeriod = Float(-log(10000.0))
        let frequencies = (0..<half).map { i in exp(logPeriod * Float(i) / Float(Double(half) - frequencyShift)) }
        var out: [Float] = []
        out.reserveCapacity(timesteps.count * channels)
        for t in timesteps {
            let arguments = frequencies.map { Float(t) * $0 }
            let sines = arguments.map { sin($0) }, cosines = arguments.map { cos($0) }
            out += flipSinToCos ? cosines + sines : sines + cosines
            if channels % 2 == 1 { out.append(0) }
        }
        return HostTensor(shape: [timesteps.count, channels], scalars: out)
    }
}

/// diffusers' TimestepEmbedding: linear_1 → SiLU → linear_2.
struct TimestepEmbeddingMLP {
    let linear1: Linear
    let linear2: Linear

    init(_ p: ParameterLoader, inChannels: Int, embeddingChannels: Int) throws {
        linear1 = try Linear(p.scoped("linear_1"), inFeatures: inChannels, outFeatures: embeddingChannels)
        linear2 = try Linear(p.scoped("linear_2"), inFeatures: embeddingChannels, outFeatures: embeddingChannels)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { linear2(x.backend.activation(linear1(x), .silu)) }
}
