import Foundation
import Testing
@testable import FID

/// KID against torch-fidelity's formula in numpy (Fixtures/generate_kid.py), with the same seeded subsets.
@Suite struct KernelInceptionDistanceTests {
    @Test func matchesTheNumpyReference() throws {
        let golden = try FIDFixtures.json("kid.json")
        let width = try #require(golden["width"] as? Int)
        let a = try #require(golden["a"] as? [Double]).map(Float.init), b = try #require(golden["b"] as? [Double]).map(Float.init)
        let cases = try #require(golden["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for c in cases {
            let subsets = try #require(c["subsets"] as? Int), size = try #require(c["subset_size"] as? Int)
            let seed = try #require(c["seed"] as? Int)
            let kid = try KernelInceptionDistance.between(a, b, width: width, subsets: subsets, subsetSize: size, seed: UInt64(seed))
            let mean = try #require(c["mean"] as? Double), std = try #require(c["std"] as? Double)
            #expect(kid.subsetSize == c["subset_size_used"] as? Int)
            #expect(kid.subsets == subsets)
            #expect(abs(kid.mean - mean) <= 1e-12 * abs(mean), "mean \(kid.mean) vs numpy \(mean)")
            #expect(abs(kid.standardDeviation - std) <= 1e-10 * abs(std), "std \(kid.standardDeviation) vs numpy \(std)")
        }
    }

    @Test func aSetAgainstItselfIsNearZeroAndTheSeedIsTheOnlyRandomness() throws {
        var generator = SplitMix64Values(seed: 3)
        let a = (0..<(200 * 8)).map { _ in generator.next() }
        let same = try KernelInceptionDistance.between(a, a, width: 8, subsets: 20, subsetSize: 50)
        #expect(abs(same.mean) < 0.05)
        #expect(try KernelInceptionDistance.between(a, a, width: 8, subsets: 20, subsetSize: 50) == same)
        #expect(try KernelInceptionDistance.between(a, a, width: 8, subsets: 20, subsetSize: 50, seed: 1) != same)
    }

    @Test func refusesTooFewRowsOrSubsets() {
        let one = [Float](repeating: 0.5, count: 4), two = [Float](repeating: 0.5, count: 8)
        #expect(throws: FIDError("KID needs at least 2 images in each set (got 1 and 2)")) {
            try KernelInceptionDistance.between(one, two, width: 4)
        }
        #expect(throws: FIDError("KID needs at least 1 subset of at least 2 rows (got 0 subsets of 1000)")) {
            try KernelInceptionDistance.between(two, two, width: 4, subsets: 0)
        }
    }
}

/// Uniform floats in [−1, 1) from SplitMix64's top bits.
private struct SplitMix64Values {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float((z ^ (z >> 31)) >> 40) * 0x1p-23 - 1
    }
}
