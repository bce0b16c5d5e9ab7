import Foundation
import Models
import Tensors

/// The initial noise of every experiment: standard normals from a seed, the same for every sampler, batch
/// size and machine. Sample i of seed s draws from its own SplitMix64 stream, seeded with the SplitMix64
/// output for s mixed with i, and turns pairs of uniforms (u₁ ∈ (0, 1], u₂ ∈ [0, 1)) into normals with
/// Box–Muller, √(−2 ln u₁)·(cos 2πu₂, sin 2πu₂), in Double, rounded to float32. So asking for 8 samples and
/// then for 16 gives the same first 8.
public enum SeededNoise {
    public static func sample(seed: Int, index: Int, count: Int) -> [Float] {
        var mixer = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        var generator = SplitMix64(seed: mixer.next() ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        var out = [Float]()
        out.reserveCapacity(count + 1)
        while out.count < count {
            let u1 = 1 - generator.nextUnit(), u2 = generator.nextUnit()
            let radius = (-2 * log(u1)).squareRoot()
            out.append(Float(radius * cos(2 * Double.pi * u2)))
            out.append(Float(radius * sin(2 * Double.pi * u2)))
        }
        return Array(out.prefix(count))
    }

    /// Samples `indices` of `seed` as one batch [indices.count] + shape.
    public static func batch(seed: Int, indices: Range<Int>, shape: [Int]) -> HostTensor {
        let size = shape.reduce(1, *)
        return HostTensor(shape: [indices.count] + shape, scalars: indices.flatMap { sample(seed: seed, index: $0, count: size) })
    }
}
