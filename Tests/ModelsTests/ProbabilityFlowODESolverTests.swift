import Foundation
import Testing
@testable import Models

/// The exact-ODE reference must be far more accurate than any sampler it judges.
@Suite struct ProbabilityFlowODESolverTests {
    @Test func singleComponentMatchesTheClosedForm() {
        // One component: d x̄/dσ̄ = σ̄ (x̄ − μ)/(s² + σ̄²), so x̄ − μ scales as √(s² + σ̄²).
        // Values exact in float32, as the image set stores them.
        let mu = [0.375, -0.75, 0.125, 0.875]
        let set = LabeledImageSet(name: "one", channels: 1, height: 2, width: 2, pixels: mu.map(Float.init),
                                  labels: [0], classNames: ["only"])
        let spread = 0.1
        let solver = ProbabilityFlowODESolver(density: GaussianMixtureDensity(images: set, spread: spread))
        let start = [1.2, -0.4, 0.05, -1.1]
        for (a0, a1) in [(0.0047, 1.0), (1.0, 0.0047), (0.3, 0.9), (0.9, 0.02)] {
            let s0 = ProbabilityFlowODESolver.scaledSigma(alphaCumprod: a0)
            let s1 = ProbabilityFlowODESolver.scaledSigma(alphaCumprod: a1)
            let ratio = ((spread * spread + s1 * s1) / (spread * spread + s0 * s0)).squareRoot()
            let expected = start.indices.map { i in a1.squareRoot() * (mu[i] + (start[i] / a0.squareRoot() - mu[i]) * ratio) }
            let solution = solver.solve(start, fromAlphaCumprod: a0, toAlphaCumprod: a1)
            let worst = expected.indices.map { abs(solution.x[$0] - expected[$0]) / max(1, abs(expected[$0])) }.max()!
            #expect(worst < 1e-9, "ᾱ \(a0) → \(a1): relative error \(worst)")
        }
    }

    @Test func tighteningTheToleranceBarelyMovesTheSolution() {
        // The shapes mixture at the clean-sample spread (the stiffer case), from pure noise to the data.
        let images = ShapesDataset.make(imagesPerClass: 1)
        let density = GaussianMixtureDensity(images: images, spread: 0.1)
        var generator = SplitMix64(seed: 3)
        // A uniform draw with unit variance stands in for Gaussian noise.
        let noise = (0..<density.dimension).map { _ in generator.uniform(-3.0.squareRoot(), 3.0.squareRoot()) }
        let start = 0.0047
        let loose = ProbabilityFlowODESolver(density: density, relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
            .solve(noise, fromAlphaCumprod: start, toAlphaCumprod: 1)
        let tight = ProbabilityFlowODESolver(density: density)
            .solve(noise, fromAlphaCumprod: start, toAlphaCumprod: 1)
        let change = zip(loose.x, tight.x).map { abs($0 - $1) }.max()!
        // Samplers' errors at 160 steps on this model are orders of magnitude larger than this.
        #expect(change < 1e-6, "max change \(change)")
        #expect(tight.acceptedSteps > loose.acceptedSteps)
        // The flow ends on the data: close to one of the images (within a few spreads per pixel).
        let nearest = (0..<images.count).map { k in
            zip(tight.x, images.image(k).values).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +) / Double(density.dimension)
        }.min()!
        #expect(nearest < 0.1 * 0.1 * 2)

        // And back: inverting the solution returns to the starting noise.
        let back = ProbabilityFlowODESolver(density: density).solve(tight.x, fromAlphaCumprod: 1, toAlphaCumprod: start)
        let roundTrip = zip(back.x, noise).map { abs($0 - $1) }.max()!
        #expect(roundTrip < 1e-5, "round trip \(roundTrip)")
    }

    @Test func batchFormSolvesEachSampleWithItsClass() {
        let images = ShapesDataset.make(imagesPerClass: 1)
        let density = GaussianMixtureDensity(images: images, spread: 0.3)
        let solver = ProbabilityFlowODESolver(density: density, relativeTolerance: 1e-8, absoluteTolerance: 1e-8)
        var generator = SplitMix64(seed: 5)
        let noise = (0..<(2 * density.dimension)).map { _ in Float(generator.uniform(-1.7, 1.7)) }
        let batch = solver.solve(.init(shape: [2, 3, 32, 32], scalars: noise), fromAlphaCumprod: 0.01, toAlphaCumprod: 1,
                                 conditioning: .classes([4, 7]))
        #expect(batch.shape == [2, 3, 32, 32])
        for (b, label) in [4, 7].enumerated() {
            let single = solver.solve(noise[(b * 3072)..<((b + 1) * 3072)].map(Double.init), fromAlphaCumprod: 0.01,
                                      toAlphaCumprod: 1, field: .classConditional(label))
            #expect(zip(batch.scalars[(b * 3072)..<((b + 1) * 3072)], single.x).allSatisfy { Double($0) == Double(Float($1)) })
            // One component per class here: the class-conditional flow ends near that class's image.
            let image = images.image(images.indices(ofClass: label)[0]).values
            let distance = zip(single.x, image).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +) / 3072
            #expect(distance < 0.3 * 0.3 * 2)
        }
    }
}
