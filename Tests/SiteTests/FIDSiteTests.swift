import Compute
import Experiments
import FID
import Foundation
import Models
import BELMTestSupport
import Testing
import VulkanCompute
@testable import Site
import Tensors

/// `fid:` on a sampling experiment: the Inception features of every item's samples, merged at assembly into
/// each cell's FID against the reference set. The seeded stand-in weights (see `SeededInceptionWeights`)
/// replace pytorch-fid's: the FID is a number of the same computation, not a meaningful score.
/// Inception at 299² on lavapipe makes these two tests take about four minutes together, more than the rest of
/// the suite: they run when `BELM_HEAVY_TESTS=1` is set (`BELM_HEAVY_TESTS=1 swift test --filter FIDSiteTests`).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BELM_HEAVY_TESTS"] == "1",
                             "about 4 minutes of Inception on lavapipe: set BELM_HEAVY_TESTS=1 to run"))
struct FIDSiteTests {
    /// A site with one sampling cell (DDIM at 2 steps) with `fid:`, the seeded weights file, a reference folder
    /// of 3 images and a reference.npz (mu 0, sigma the identity), `reference` naming one, and `extra` lines
    /// on the experiment.
    static func fixture(seeds: [Int], count: Int, reference referenceName: String, extra: String = "") throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        let site = fixture.root.appendingPathComponent("site")
        try SeededInceptionWeights.write(to: site.appendingPathComponent("inception.safetensors"))
        let reference = site.appendingPathComponent("reference")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: 7)
        for k in 0..<3 {
            let values = (0..<(3 * 24 * 24)).map { _ in Float(generator.next() >> 40) * 0x1p-23 - 1 }
            try PNGCodec.encode(PlanarImage(channels: 3, height: 24, width: 24, values: values))
                .write(to: reference.appendingPathComponent("reference-\(k).png"))
        }
        try StandardNormalReference.write(to: site.appendingPathComponent("reference.npz"))
        try """
            title: "FID"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              shapes: builtin:shapes
            experiments:
              - name: sampling
                kind: sampling
                samplers: [ddim]
                steps: [2]
                seeds: [\(seeds.map(String.init).joined(separator: ", "))]
                count: \(count)
                fid: {inception: inception.safetensors, reference: \(referenceName)}
            \(extra)
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return fixture
    }

    /// On the Vulkan backend: Inception at 299² takes about a second an image on lavapipe, minutes on the
    /// debug build's CPU backend.
    static func builder(_ fixture: SiteBuildTests.Fixture, vulkan: VulkanBackend, cache: URL, output: URL) throws -> SiteBuilder {
        var builder = try fixture.builder(runner: ModelExperimentRunner(batchSize: 2))
        builder.backend = vulkan
        builder.keyBackend = vulkan.name
        builder.cache = ResultCache(folder: cache)
        builder.output = output
        return builder
    }

    static func fidRecords(_ metrics: Data) throws -> [[String: Any]] {
        let records = try #require(try JSONSerialization.jsonObject(with: metrics) as? [[String: Any]])
        return records.filter { $0["metric"] as? String == "fid" }
    }

    /// Three seeds make three items per cell: one process, and three shards over one cache assembled
    /// afterwards, write the same metrics.json byte for byte, FID included.
    @Test func fidIsTheSameFromOneProcessAndFromShards() throws {
        guard let vulkan = try? VulkanBackend() else { return }
        // The statistics file spares the test running Inception over a reference folder twice.
        let fixture = try Self.fixture(seeds: [0, 1, 2], count: 2, reference: "reference.npz")
        defer { fixture.remove() }
        let alone = fixture.root.appendingPathComponent("alone"), sharded = fixture.root.appendingPathComponent("sharded")
        _ = try Self.builder(fixture, vulkan: vulkan, cache: fixture.root.appendingPathComponent("cache-1"), output: alone).build()
        let cache = fixture.root.appendingPathComponent("cache-3")
        for index in 0..<3 {
            let summary = try Self.builder(fixture, vulkan: vulkan, cache: cache, output: sharded).build(.shard(try Shard(index: index, count: 3)))
            #expect(summary.itemsRun == 1)
        }
        _ = try Self.builder(fixture, vulkan: vulkan, cache: cache, output: sharded).build(.cachedOnly)

        let one = try Data(contentsOf: alone.appendingPathComponent("metrics.json"))
        let three = try Data(contentsOf: sharded.appendingPathComponent("metrics.json"))
        #expect(one == three)
        let fid = try Self.fidRecords(one)
        #expect(fid.count == 1)
        #expect(fid.first?["count"] as? Int == 6)
        let value = try #require(fid.first?["value"] as? Double)
        #expect(value.isFinite && value > 0)
        let csv = try String(contentsOf: alone.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(csv.contains(",fid,"))
        let page = try String(contentsOf: alone.appendingPathComponent("sampling.html"), encoding: .utf8)
        #expect(page.contains("data-metric=\"fid\""))
    }

    /// The site's FID is what `belm fid` gives on the exported samples against the same reference.
    @Test func fidEqualsBelmFidOnTheExportedSamples() throws {
        guard let vulkan = try? VulkanBackend() else { return }
        let fixture = try Self.fixture(seeds: [0], count: 3, reference: "reference", extra: "    export: samples")
        defer { fixture.remove() }
        _ = try Self.builder(fixture, vulkan: vulkan, cache: fixture.cache, output: fixture.output).build()
        // The reference folder's statistics are kept in the cache for the next assembly.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.cache.path).contains { $0.hasPrefix("fid-reference-") && $0.hasSuffix(".npz") })
        let site = try #require(Self.fidRecords(try Data(contentsOf: fixture.output.appendingPathComponent("metrics.json"))).first?["value"] as? Double)
        let samples = fixture.output.appendingPathComponent("samples/sampling/ddim-2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: samples.path).count == 3)
        let siteFolder = fixture.root.appendingPathComponent("site")
        let run = try BELMProcess.run(["fid", "--inception", siteFolder.appendingPathComponent("inception.safetensors").path,
                                       samples.path, siteFolder.appendingPathComponent("reference").path, "--json", "--backend", "vulkan"], timeout: 600)
        #expect(run.status == 0, "\(run.errors)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let command = try #require(object["fid"] as? Double)
        #expect(abs(site - command) <= 1e-6 * abs(command), "site \(site), belm fid \(command)")
    }
}

