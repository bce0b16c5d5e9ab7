import Foundation
import Compute
import Diffusion

/// A smooth, nonlinear ε(x, t, class) that couples neighbouring values — a stand-in network for the
/// sampler tests: every sampler's exactness and error behaviour shows on it, and it is cheap.
/// Records the timesteps it is called with, so tests can check the boundary conventions.
final class AnalyticNoisePredictor: NoisePredictor {
    let backend: any Backend
    private(set) var calls: [(timestep: Int, batch: Int)] = []

    init(backend: any Backend = CPUBackend()) { self.backend = backend }

    func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        let batch = x.shape[0]
        calls.append((timestep, batch))
        let values = x.values()
        let perSample = values.count / batch
        let labels: [Int]
        switch conditioning {
        case .classes(let c): labels = c
        default: labels = [Int](repeating: -1, count: batch)
        }
        let phase = Double(timestep) / 300
        var out = [Float](repeating: 0, count: values.count)
        for b in 0..<batch {
            let shift = 0.25 * Double(labels[b] + 1)
            for i in 0..<perSample {
                let v = Double(values[b * perSample + i])
                let neighbour = Double(values[b * perSample + (i + 1) % perSample])
                out[b * perSample + i] = Float(0.9 * tanh(0.7 * v + 0.3 * neighbour - shift) + 0.1 * sin(phase + Double(i % 5)))
            }
        }
        return backend.tensor(out, shape: x.shape)
    }
}

/// ε that does not depend on x: the PF-ODE's solution is then x̄ linear in σ̄, which every consistent
/// sampler must reproduce exactly.
final class ConstantNoisePredictor: NoisePredictor {
    let backend: any Backend
    let noise: [Float]

    init(noise: [Float], backend: any Backend = CPUBackend()) {
        self.noise = noise
        self.backend = backend
    }

    func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor {
        backend.tensor(noise, shape: x.shape)
    }
}

/// Deterministic pseudo-random normals for test inputs (SplitMix64 + Box–Muller).
func testNormals(count: Int, seed: UInt64) -> [Float] {
    var state = seed
    func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Double(z >> 11) + 0.5) / Double(1 << 53)
    }
    return (0..<count).map { _ in
        Float((-2 * log(next())).squareRoot() * cos(2 * Double.pi * next()))
    }
}

func meanSquaredError(_ a: Tensor, _ b: Tensor) -> Double {
    let x = a.values(), y = b.values()
    return zip(x, y).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(x.count)
}
