import Compute
import Experiments
import Foundation
import Testing
@testable import Site

/// Every item's cache entry records where it was computed; metrics.json and the reproducibility page say, per
/// cell, each distinct device and software its items came from.
@Suite struct CellProvenanceTests {
    struct Source: Decodable, Equatable {
        var device: String
        var driver: String?
        var backend: String
        var precision: String
        var belm: String
        var model_digest: String
    }

    struct Record: Decodable {
        var experiment: String
        var sampler: String
        var steps: Int
        var metric: String
        var provenance: [Source]
    }

    /// One sampling experiment whose cells hold two items each (66 samples, 64 an item), at one step count: the
    /// smallest site with a cell that can mix items from two machines beside cells that do not.
    static func fixture() throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        try """
            title: "Provenance"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              shapes: builtin:shapes
            experiments:
              - name: sampling
                kind: sampling
                samplers: [ddim, belm]
                steps: [2]
                count: 66
                gallery: 3
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func aCellRecomputedOnAnotherDeviceListsBoth() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        var first = try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output)
        first.environment.compute = ComputeProvenance(backend: "cpu", device: "GPU A", driver: "driver 1", precision: .fp32)
        first.environment.belmVersion = "1.0"
        try first.build()

        // One item of the ddim, 2-step sampling cell (samples 64–65) is lost and recomputed elsewhere.
        let plan = try BuildPlan.make(config: first.config, runner: first.runner, backend: "cpu", cache: first.cache)
        let lost = try #require(plan.items.first { planned in
            guard case .cell(let cell) = planned.item.scope else { return false }
            return planned.item.experiment == "sampling" && cell.sampler == .ddim && cell.steps == 2 && cell.first == 64
        })
        guard case .found(let entry) = first.cache.load(lost.key) else { Issue.record("the item was not cached"); return }
        #expect(entry.facts.belmVersion == "1.0" && entry.facts.compute.device == "GPU A", "the entry records where it was computed")
        try FileManager.default.removeItem(at: first.cache.url(lost.key))
        var second = try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output)
        second.environment.compute = ComputeProvenance(backend: "cpu", device: "GPU B", driver: nil, precision: .fp32)
        second.environment.belmVersion = "1.1"
        #expect(try second.build().itemsRun == 1)

        // Assembled on a third machine: the cells still name the machines that computed them.
        var third = try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output)
        third.environment.compute.device = "laptop"
        try third.build(.cachedOnly)
        let records = try JSONDecoder().decode([Record].self, from: Data(contentsOf: fixture.output.appendingPathComponent("metrics.json")))
        let digest = try first.runner.modelDigest("builtin:shapes", digests: FileDigests())
        let a = Source(device: "GPU A", driver: "driver 1", backend: "cpu", precision: "fp32", belm: "1.0", model_digest: digest)
        let b = Source(device: "GPU B", driver: nil, backend: "cpu", precision: "fp32", belm: "1.1", model_digest: digest)
        let mixed = records.filter { $0.experiment == "sampling" && $0.sampler == "ddim" && $0.steps == 2 }
        #expect(!mixed.isEmpty && mixed.allSatisfy { $0.provenance == [a, b] }, "\(mixed.map(\.provenance))")
        let others = records.filter { !($0.experiment == "sampling" && $0.sampler == "ddim" && $0.steps == 2) }
        #expect(!others.isEmpty && others.allSatisfy { $0.provenance == [a] })
        #expect(records.allSatisfy { $0.provenance.allSatisfy { $0.device != "laptop" } })

        let page = try String(contentsOf: fixture.output.appendingPathComponent("reproducibility.html"), encoding: .utf8)
        #expect(page.contains("Where each cell was computed"))
        #expect(page.contains("<code>cpu · GPU A · driver driver 1 · fp32 · belm 1.0 · model \(digest.prefix(16))</code><br><code>cpu · GPU B · fp32 · belm 1.1 · model \(digest.prefix(16))</code>"))
    }

    /// The contract's seven columns stay as they are in metrics.csv; records without provenance read as before.
    @Test func metricsFilesWithoutProvenanceAreUnchanged() throws {
        let record = MetricRecord(experiment: "e", model: "m", sampler: "ddim", steps: 2, metric: "mse", value: 0.5, count: 3)
        #expect(try MetricsFiles.json([record]) == "[\n  {\"experiment\": \"e\", \"model\": \"m\", \"sampler\": \"ddim\", \"steps\": 2, \"metric\": \"mse\", \"value\": 0.5, \"count\": 3}\n]\n")
        let source = CellProvenance(compute: ComputeProvenance(backend: "vulkan", device: "GPU \"1\"", driver: nil, precision: .fp32),
                                    belmVersion: "2", modelDigest: "abc")
        #expect(try MetricsFiles.json([record]) { _ in [source] }.contains(#""count": 3, "provenance": [{"device": "GPU \"1\"", "driver": null, "backend": "vulkan", "precision": "fp32", "belm": "2", "model_digest": "abc"}]}"#))
    }
}
