import Foundation
import Testing
@testable import Models

@Suite struct ImageMetricsTests {
    /// The images of Fixtures/ssim_reference.py.
    static func referencePair(height: Int = 16, width: Int = 20) -> (PlanarImage, PlanarImage) {
        var a = PlanarImage(channels: 3, height: height, width: width, filledWith: 0)
        var b = a
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let value = Double((x * 7 + y * 13 + c * 5) % 17) / 8 - 1
                    a[c, y, x] = Float(value)
                    b[c, y, x] = Float(min(max(value + Double((x * 3 + y * 5 + c) % 7 - 3) / 20, -1), 1))
                }
            }
        }
        return (a, b)
    }

    @Test func mseAndPSNRByHand() {
        let a = PlanarImage(channels: 1, height: 2, width: 2, values: [0, 0.5, -1, 1])
        let b = PlanarImage(channels: 1, height: 2, width: 2, values: [0.5, 0.5, -1, 0])
        // Squared differences 0.25, 0, 0, 1 → mean 0.3125; PSNR = 10 log10(4 / 0.3125) = 10 log10(12.8).
        #expect(ImageMetrics.meanSquaredError(a, b) == 0.3125)
        #expect(abs(ImageMetrics.peakSignalToNoiseRatio(a, b) - 11.072099696478684) < 1e-12)
        #expect(ImageMetrics.peakSignalToNoiseRatio(a, a) == .infinity)
    }

    @Test func ssimOfAnImageWithItselfIsOne() {
        let (a, _) = Self.referencePair()
        #expect(abs(StructuralSimilarity.ssim(a, a) - 1) < 1e-12)
        #expect(abs(StructuralSimilarity.window.reduce(0, +) - 1) < 1e-15)
        #expect(StructuralSimilarity.window.count == 11)
    }

    @Test func ssimOfFlatImagesIsTheLuminanceTerm() {
        // No variance anywhere: SSIM = (2 c₁c₂ + C1) / (c₁² + c₂² + C1) with C1 = (0.01 · 2)².
        let a = PlanarImage(channels: 1, height: 12, width: 12, filledWith: 0.5)
        let b = PlanarImage(channels: 1, height: 12, width: 12, filledWith: -0.25)
        let c1 = 0.0004
        let expected = (2 * 0.5 * -0.25 + c1) / (0.25 + 0.0625 + c1)
        #expect(abs(StructuralSimilarity.ssim(a, b) - expected) < 1e-12)
    }

    @Test func ssimMatchesTheScipyReference() {
        // Values printed by Fixtures/ssim_reference.py (scikit-image's formulation on scipy).
        let (a, b) = Self.referencePair()
        #expect(abs(StructuralSimilarity.ssim(a, b) - 0.9747449056103777) < 1e-12)
        let negated = PlanarImage(channels: 3, height: a.height, width: a.width, values: a.values.map { -$0 })
        #expect(abs(StructuralSimilarity.ssim(a, negated) - 0.19861444421302418) < 1e-12)
    }

    @Test func nearestNeighbourFindsTheClosestImage() {
        let set = ShapesDataset.make(imagesPerClass: 1)
        var probe = set.image(7)
        probe.values[0] += 0.1
        let match = NearestNeighbour.search(probe, in: set)
        #expect(match.index == 7)
        #expect(abs(match.distance - 0.1) < 1e-6)
        #expect(abs(match.meanSquaredError - match.distance * match.distance / 3072) < 1e-15)
        #expect(NearestNeighbour.search(set.image(3), in: set) == .init(index: 3, distance: 0, meanSquaredError: 0))
    }
}
