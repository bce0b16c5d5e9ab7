import Compute

/// Spherical interpolation over the whole vector [BELM paper eq 64]:
/// slerp(a, b; t) = sin((1 − t)θ)/sin θ · a + sin(tθ)/sin θ · b, θ the angle between a and b (all values of
/// the sample at once; the official script measures θ per channel plane instead). Falls back to the linear
/// blend when a and b are (anti)parallel within float precision.
public enum Slerp {
    public static func weights(_ a: [Float], _ b: [Float], t: Double) -> (Double, Double) {
        var dot = 0.0, na = 0.0, nb = 0.0
        for i in a.indices {
            dot += Double(a[i]) * Double(b[i])
            na += Double(a[i]) * Double(a[i])
            nb += Double(b[i]) * Double(b[i])
        }
        let cosine = max(-1, min(1, dot / (na.squareRoot() * nb.squareRoot())))
        let theta = acos(cosine)
        guard sin(theta) > 1e-6 else { return (1 - t, t) }
        return (sin((1 - t) * theta) / sin(theta), sin(t * theta) / sin(theta))
    }

    public static func interpolate(_ a: Tensor, _ b: Tensor, t: Double) -> Tensor {
        let (wa, wb) = weights(a.values(), b.values(), t: t)
        return a.backend.linearCombination([(a, wa), (b, wb)])
    }
}

import Foundation
