import Experiments
import Testing
@testable import Site

/// With `fid:`, a cell item's key holds the Inception weights' SHA-256, not the paths, and not the reference
/// (which enters at assembly only).
@Suite struct FIDCacheKeyTests {
    func key(_ fid: FIDSetting?, weights: String?) throws -> String {
        let request = ExperimentRequest(name: "sampling", kind: .sampling, model: "builtin:shapes", samplers: [.ddim], steps: [2],
                                        seeds: [0], count: 4, fid: fid)
        let item = WorkItems.plan(request)[0]
        return try ResultCache.key(item: item, request: request, modelDigest: "builtin:shapes", inceptionDigest: weights,
                                   codeVersion: "test", backend: "cpu")
    }

    @Test func weightsDigestCountsAndPathsDoNot() throws {
        let here = FIDSetting(inception: "/a/inception.safetensors", reference: "/a/reference")
        let moved = FIDSetting(inception: "/b/weights.safetensors", reference: "/b/other.npz")
        let plain = try key(nil, weights: nil)
        #expect(try key(here, weights: "aaaa") != plain, "an item with features is not the item without")
        #expect(try key(here, weights: "aaaa") != key(here, weights: "bbbb"), "other weights, other features")
        #expect(try key(here, weights: "aaaa") == key(moved, weights: "aaaa"), "moved files or another reference reuse the items")
        #expect(try key(nil, weights: "aaaa") == plain, "without fid: the weights do not enter")
    }
}
