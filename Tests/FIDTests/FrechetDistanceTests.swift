import Foundation
import Testing
@testable import FID
import Tensors

/// belm's Fréchet distance against pytorch-fid's calculate_frechet_distance on the same .npz files.
struct FrechetDistanceTests {
    @Test func matchesPytorchFIDOnFullRankCovariances() throws {
        let expected = try FIDFixtures.json("frechet.json")["full_rank"] as! Double
        let a = try FIDStatistics(contentsOf: FIDFixtures.url("stats_a.npz"))
        let b = try FIDStatistics(contentsOf: FIDFixtures.url("stats_b.npz"))
        let distance = try FrechetDistance.between(a, b)
        #expect(abs(distance - expected) / expected < 1e-6, "belm \(distance), pytorch-fid \(expected)")
        #expect(abs(try FrechetDistance.between(b, a) - distance) / distance < 1e-12)
    }

    @Test func agreesOnSingularCovariances() throws {
        // 20 samples in 64 dimensions: pytorch-fid's sqrtm works on a singular product; the symmetric form agrees
        // to the precision the evaluation notes give for this case.
        let expected = try FIDFixtures.json("frechet.json")["low_rank"] as! Double
        let a = try FIDStatistics(contentsOf: FIDFixtures.url("low_rank_a.npz"))
        let b = try FIDStatistics(contentsOf: FIDFixtures.url("low_rank_b.npz"))
        let distance = try FrechetDistance.between(a, b)
        #expect(abs(distance - expected) / expected < 1e-6, "belm \(distance), pytorch-fid \(expected)")
    }

    @Test func isZeroBetweenIdenticalStatistics() throws {
        let a = try FIDStatistics(contentsOf: FIDFixtures.url("stats_a.npz"))
        let trace = (0..<64).reduce(0.0) { $0 + a.sigma[$1 * 65] }
        #expect(abs(try FrechetDistance.between(a, a)) < 1e-10 * trace)
    }

    @Test func closedFormOnDiagonalCovariances() throws {
        // Diagonal Σ₁ = diag(a), Σ₂ = diag(b): Tr √(Σ₁Σ₂) = Σ √(aᵢbᵢ), so FID = ‖Δμ‖² + Σ (√aᵢ − √bᵢ)².
        let a: [Double] = [4, 1, 9], b: [Double] = [1, 1, 16]
        func diagonal(_ v: [Double]) -> [Double] { (0..<9).map { $0 % 4 == 0 ? v[$0 / 4] : 0 } }
        let distance = try FrechetDistance.between(FIDStatistics(mu: [0, 1, 2], sigma: diagonal(a)),
                                                   FIDStatistics(mu: [1, 1, 0], sigma: diagonal(b)))
        #expect(abs(distance - (1 + 4 + 1 + 0 + 1)) < 1e-12)
    }

    @Test func refusesDifferentWidths() throws {
        let a = FIDStatistics(mu: [0, 0], sigma: [1, 0, 0, 1]), b = FIDStatistics(mu: [0], sigma: [1])
        #expect(throwsMessage(containing: ["different feature widths (2 and 1)"]) { _ = try FrechetDistance.between(a, b) })
    }

    @Test func momentsGiveNumpysMeanAndCovariance() throws {
        let file = try Tensors.NPZFile.read(FIDFixtures.url("features.npz"))
        let features = file["features"]!
        let rows = features.shape[0], width = features.shape[1]
        // Split unevenly and merged: the same statistics as one pass, to round-off.
        var whole = FeatureMoments(dimension: width)
        whole.add(features.values.map(Float.init), rows: rows)
        var first = FeatureMoments(dimension: width), second = FeatureMoments(dimension: width)
        first.add(features.values.prefix(7 * width).map(Float.init), rows: 7)
        second.add(features.values.dropFirst(7 * width).map(Float.init), rows: rows - 7)
        first.merge(second)
        for moments in [whole, first] {
            let s = try moments.statistics()
            #expect(zip(s.mu, file["mu"]!.values).allSatisfy { abs($0 - $1) < 1e-12 })
            #expect(zip(s.sigma, file["sigma"]!.values).allSatisfy { abs($0 - $1) < 1e-12 })
        }
        var one = FeatureMoments(dimension: width)
        one.add(Array(features.values.prefix(width).map(Float.init)), rows: 1)
        #expect(throwsMessage(containing: ["at least 2 images (got 1)"]) { _ = try one.statistics() })
    }
}
