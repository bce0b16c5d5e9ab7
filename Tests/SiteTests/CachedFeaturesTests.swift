import Experiments
import Foundation
import Testing
@testable import Site

/// A plan keeps no Inception features (their memory would grow with the sample count); assembly reads each
/// item's back from its cache entry when it comes to it.
@Suite struct CachedFeaturesTests {
    @Test func thePlanDropsFeaturesAndTheReaderReadsThemBack() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-features-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = ResultCache(folder: folder)
        let cell = CellItem(sampler: .ddim, steps: 2, seed: 0, first: 0, count: 2)
        let item = WorkItem(experiment: "sampling", scope: .cell(cell), cost: 4)
        let features = ItemFeatures(rows: 2, width: 3, values: [1, 2, 3, 4, 5, 6])
        let facts = RunFacts(key: "k1", seconds: 0, compute: ComputeProvenance(backend: "cpu", device: "test", driver: nil, precision: .fp32),
                             modelDigest: "m", codeVersion: "test")
        try cache.store(ResultCache.Entry(facts: facts, item: item, result: .cell(CellItemResult(statistics: CellStatistics(), gallery: [],
                                                                                                  exported: [Data([1])], features: features))))

        let planned = PlannedItem(item: item, key: "k1", lookup: cache.load("k1").withoutPerSampleData)
        guard case .cell(let kept) = try #require(planned.entry).result else { Issue.record("not a cell result"); return }
        #expect(kept.features == nil && kept.exported == nil)

        let read = cache.featureReader([planned])
        #expect(try read(cell) == features)
        let other = CellItem(sampler: .ddim, steps: 2, seed: 0, first: 2, count: 2)
        #expect { try read(other) } throws: { "\($0)".contains("no cache entry was planned") }
        try FileManager.default.removeItem(at: cache.url("k1"))
        #expect { try read(cell) } throws: { "\($0)".contains("changed or went missing") && "\($0)".contains("k1.entry") }
    }
}
