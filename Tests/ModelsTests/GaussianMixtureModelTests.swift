import Compute
import Diffusion
import Foundation
import Testing
@testable import Models

/// ε* of the reference mixture: the backend evaluation against a plain Double one, the score identity
/// ε* = −σ ∇log p, and the class restriction.
@Suite struct GaussianMixtureModelTests {
    let cpu = CPUBackend()
    let images = ShapesDataset.make(imagesPerClass: 2)

    /// SD1.5's scaled_linear ᾱ (β from 0.00085 to 0.012 over 1000 steps), written out to keep this test free
    /// of the schedule code.
    static let alphasCumprod: [Double] = {
        var product = 1.0
        return (0..<1000).map { t in
            let root = 0.00085.squareRoot() + (0.012.squareRoot() - 0.00085.squareRoot()) * Double(t) / 999
            product *= 1 - root * root
            return product
        }
    }()

    /// Noisy states near image `index` at the level ᾱ.
    func noisyBatch(_ indices: [Int], alphaCumprod: Double, seed: UInt64) -> [[Double]] {
        var generator = SplitMix64(seed: seed)
        let alpha = alphaCumprod.squareRoot(), sigma = (1 - alphaCumprod).squareRoot()
        return indices.map { index in
            images.image(index).values.map { alpha * Double($0) + sigma * (generator.uniform(-1.7, 1.7)) }
        }
    }

    /// The textbook formula, term by term, in Double: the judge for the matrix form.
    func bruteForce(_ x: [Double], alphaCumprod: Double, components: [Int], spread: Double) -> [Double] {
        let alpha = alphaCumprod.squareRoot(), sigma = (1 - alphaCumprod).squareRoot()
        let v = alphaCumprod * spread * spread + sigma * sigma
        let mus = components.map { images.image($0).values.map(Double.init) }
        let logits = mus.map { mu in -zip(x, mu).map { ($0 - alpha * $1) * ($0 - alpha * $1) }.reduce(0, +) / (2 * v) }
        let top = logits.max()!
        let weights = logits.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return x.indices.map { i in
            var mean = 0.0
            for (w, mu) in zip(weights, mus) { mean += w / total * mu[i] }
            return sigma * (x[i] - alpha * mean) / v
        }
    }

    @Test(arguments: [0.1, 0.3])
    func backendMatchesBruteForce(spread: Double) {
        let model = GaussianMixtureModel(images: images, spread: spread, alphasCumprod: Self.alphasCumprod, backend: cpu)
        for timestep in [0, 1, 250, 600, 999] {
            let alphaCumprod = Self.alphasCumprod[timestep]
            let states = noisyBatch([3, 17], alphaCumprod: alphaCumprod, seed: UInt64(timestep))
            let x = cpu.tensor(states.flatMap { $0.map(Float.init) }, shape: [2, 3, 32, 32])
            let predicted = model.predictNoise(x, timestep: timestep, conditioning: .unconditional).values()
            #expect(predicted.count == 2 * 3072)
            var worst = 0.0, scale = 0.0
            for (b, state) in states.enumerated() {
                // Judge against the float32-rounded input the backend actually saw.
                let seen = state.map { Double(Float($0)) }
                let expected = bruteForce(seen, alphaCumprod: alphaCumprod, components: Array(0..<images.count), spread: spread)
                let host = model.density.noisePrediction(seen, alphaCumprod: alphaCumprod)
                for i in expected.indices {
                    worst = max(worst, abs(Double(predicted[b * 3072 + i]) - expected[i]))
                    scale = max(scale, abs(expected[i]))
                    #expect(abs(host[i] - expected[i]) < 1e-12 * max(1, abs(expected[i])))
                }
            }
            #expect(worst < 2e-4 * max(scale, 1), "timestep \(timestep): worst difference \(worst)")
        }
    }

    @Test func noisePredictionIsMinusSigmaTimesTheScore() {
        // Small dimension so that central differences of log p are cheap and accurate.
        let set = LabeledImageSet(name: "test", channels: 1, height: 2, width: 2,
                                  pixels: [0.5, -0.5, 0.2, 0.9, -0.8, 0.1, 0.4, -0.3, 0.0, 0.7, -0.6, 0.3],
                                  labels: [0, 1, 1], classNames: ["a", "b"])
        let density = GaussianMixtureDensity(images: set, spread: 0.3)
        var generator = SplitMix64(seed: 7)
        for alphaCumprod in [0.95, 0.5, 0.05] {
            for classLabel in [nil, 1] as [Int?] {
                let x = (0..<4).map { _ in generator.uniform(-1, 1) }
                let epsilon = density.noisePrediction(x, alphaCumprod: alphaCumprod, classLabel: classLabel)
                let sigma = (1 - alphaCumprod).squareRoot(), h = 1e-5
                for i in 0..<4 {
                    var up = x, down = x
                    up[i] += h
                    down[i] -= h
                    let derivative = (density.logDensity(up, alphaCumprod: alphaCumprod, classLabel: classLabel)
                        - density.logDensity(down, alphaCumprod: alphaCumprod, classLabel: classLabel)) / (2 * h)
                    #expect(abs(-sigma * derivative - epsilon[i]) < 1e-6, "ᾱ \(alphaCumprod), class \(String(describing: classLabel)), axis \(i)")
                }
            }
        }
    }

    @Test func logDensityIsNormalisedForOneComponent() {
        // One component: log p is the Gaussian log density N(x; α μ, v I), written out.
        let set = LabeledImageSet(name: "one", channels: 1, height: 1, width: 2, pixels: [0.25, -0.5], labels: [0], classNames: ["only"])
        let density = GaussianMixtureDensity(images: set, spread: 0.2)
        let a = 0.64, alpha = 0.8, v = 0.64 * 0.04 + 0.36
        let x = [0.1, 0.3]
        let r2 = (x[0] - alpha * 0.25) * (x[0] - alpha * 0.25) + (x[1] + alpha * 0.5) * (x[1] + alpha * 0.5)
        #expect(abs(density.logDensity(x, alphaCumprod: a) - (-r2 / (2 * v) - log(2 * Double.pi * v))) < 1e-12)
    }

    @Test func classConditioningKeepsOnlyThatClass() {
        let model = GaussianMixtureModel(images: images, spread: 0.1, alphasCumprod: Self.alphasCumprod, backend: cpu)
        let alphaCumprod = Self.alphasCumprod[400]
        // Two samples near a disc (class 3) and a ring (class 6), each asked for the other's class and its own.
        let states = noisyBatch([3, 6], alphaCumprod: alphaCumprod, seed: 11)
        let x = cpu.tensor(states.flatMap { $0.map(Float.init) }, shape: [2, 3, 32, 32])
        for labels in [[6, 3], [3, 6], [0, 9]] {
            let predicted = model.predictNoise(x, timestep: 400, conditioning: .classes(labels)).values()
            for b in 0..<2 {
                let seen = states[b].map { Double(Float($0)) }
                let expected = bruteForce(seen, alphaCumprod: alphaCumprod, components: images.indices(ofClass: labels[b]), spread: 0.1)
                let worst = expected.indices.map { abs(Double(predicted[b * 3072 + $0]) - expected[$0]) }.max()!
                #expect(worst < 2e-4, "labels \(labels), sample \(b)")
            }
        }
        // Responsibilities under a class put no weight outside it.
        let (components, weights) = model.density.responsibilities(states[0], alphaCumprod: alphaCumprod, classLabel: 6)
        #expect(components == images.indices(ofClass: 6))
        #expect(abs(weights.reduce(0, +) - 1) < 1e-12)
        // The conditional and unconditional predictions differ when the class is not the sample's own.
        let unconditional = model.predictNoise(x, timestep: 400, conditioning: .unconditional).values()
        let wrongClass = model.predictNoise(x, timestep: 400, conditioning: .classes([6, 3])).values()
        let gap = zip(unconditional, wrongClass).map { abs($0 - $1) }.max()!
        #expect(gap > 0.01)
    }

    @Test func cleanDataHasNoNoise() {
        let model = GaussianMixtureModel(images: images, spread: 0.1, alphasCumprod: Self.alphasCumprod, backend: cpu)
        let x = cpu.tensor(images.image(5).values, shape: [1, 3, 32, 32])
        let predicted = model.predictNoise(x, alphaCumprod: 1, conditioning: .unconditional).values()
        #expect(predicted.allSatisfy { $0 == 0 })
    }
}

@Suite struct GaussianMixtureModelMisuseTests {
    @Test func timestepsOutsideTheScheduleStopTheProgram() async {
        await #expect(processExitsWith: .failure) {
            let model = GaussianMixtureModel(images: ShapesDataset.make(imagesPerClass: 1), alphasCumprod: [0.9, 0.5],
                                             backend: CPUBackend())
            _ = model.predictNoise(CPUBackend().zeros([1, 3, 32, 32]), timestep: 2, conditioning: .unconditional)
        }
    }

    @Test func unknownClassesStopTheProgram() async {
        await #expect(processExitsWith: .failure) {
            let model = GaussianMixtureModel(images: ShapesDataset.make(imagesPerClass: 1), alphasCumprod: [0.9, 0.5],
                                             backend: CPUBackend())
            _ = model.predictNoise(CPUBackend().zeros([1, 3, 32, 32]), timestep: 1, conditioning: .classes([10]))
        }
    }
}
