import Compute
import Experiments
import Foundation
import Testing
@testable import Site

/// Interpolation, editing and convergence split into one item per (sampler, step count, seed), so shards,
/// `--cached-only` and `belm plan` cover them like the other kinds, and their numbers do not depend on the split.
@Suite struct MeasuredKindShardTests {
    /// Interpolation and editing with 2 samplers × 2 seeds on the builtin reference model, few steps;
    /// convergence with 2 samplers at one step count on the reference model of the fixture's four 12×12 images
    /// (an exact ODE solve on builtin:shapes takes seconds).
    static func fixture() throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        try """
            title: "Measured kinds"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              shapes: builtin:shapes
              tiny: "gmm:tiny-set"
            experiments:
              - name: interpolation
                kind: interpolation
                model: shapes
                samplers: [ddim, belm]
                steps: [3]
                seeds: [0, 1]
                frames: 3
              - name: editing
                kind: editing
                model: shapes
                samplers: [ddim, belm]
                steps: [2]
                seeds: [0, 1]
                count: 1
                classes: [0]
                targets: ["1"]
              - name: convergence
                kind: convergence
                model: tiny
                samplers: [ddim, belm]
                steps: [2]
                count: 1
                spread: 3.0
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return fixture
    }

    @Test func oneProcessAndThreeShardsGiveTheSameMetricsAndPages() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let config = try SiteConfigLoader.load(path: fixture.configPath, backends: ["cpu"])
        let plan = try BuildPlan.make(config: config, runner: ModelExperimentRunner(), backend: "cpu",
                                      cache: ResultCache(folder: fixture.root.appendingPathComponent("cache-plan")))
        #expect(plan.experiments.map(\.items.count) == [4, 4, 2], "one item per sampler, step count and seed")

        let alone = fixture.root.appendingPathComponent("alone"), sharded = fixture.root.appendingPathComponent("sharded")
        let one = try ShardedBuildTests.builder(fixture, batchSize: 8, cache: fixture.root.appendingPathComponent("cache-1"), output: alone).build()
        #expect(one.itemsRun == 10)
        let cache = fixture.root.appendingPathComponent("cache-3")
        var shares: [Int] = []
        for index in 0..<3 {
            let summary = try ShardedBuildTests.builder(fixture, batchSize: 1, cache: cache, output: sharded).build(.shard(try Shard(index: index, count: 3)))
            shares.append(summary.itemsRun)
        }
        #expect(shares.allSatisfy { $0 > 0 } && shares.reduce(0, +) == 10, "\(shares)")
        try ShardedBuildTests.builder(fixture, batchSize: 1, cache: cache, output: sharded).build(.cachedOnly)

        let a = try ShardedBuildTests.files(under: alone), b = try ShardedBuildTests.files(under: sharded)
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a["metrics.json"] != nil && a["metrics.json"] == b["metrics.json"])
        for (path, data) in a where b[path] != data { Issue.record("\(path) differs between one process and three shards") }
        let metrics = try String(contentsOf: alone.appendingPathComponent("metrics.json"), encoding: .utf8)
        // Two seeds of two endpoints per interpolation cell; one image per seed per edit cell.
        #expect(metrics.contains("\"experiment\": \"interpolation\", \"model\": \"builtin:shapes\", \"sampler\": \"belm\", \"steps\": 3, \"metric\": \"mse\", \"value\""))
        let records = try JSONDecoder().decode([MetricRecord].self, from: Data(metrics.utf8))
        #expect(records.filter { $0.experiment == "interpolation" }.map(\.count) == [4, 4], "two seeds of two endpoints per cell")
        #expect(records.filter { $0.experiment == "editing" && $0.metric == "mse" }.map(\.count) == [2, 2], "one image per seed")
        #expect(metrics.contains("\"experiment\": \"convergence\""))
    }

    /// Adding a step count reuses every item already computed; `--cached-only` then names the new items.
    @Test func aNewStepCountLeavesTheOtherItemsCached() throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        let cache = fixture.root.appendingPathComponent("cache")
        try ShardedBuildTests.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build()
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "steps: [3]", with: "steps: [3, 4]")
        try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        #expect { try ShardedBuildTests.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build(.cachedOnly) } throws: { error in
            let message = (error as? MissingItems)?.description ?? ""
            return message.contains("4 work items are not in the cache") && message.contains("interpolation: 4 missing")
                && message.contains("interpolation ddim 4 steps seed 1") && !message.contains("editing:")
        }
    }
}
