import Experiments
import FID
import Foundation
import BELMTestSupport
import Models
import Testing
@testable import Site

/// `belm build --cached-only` over a cell with `fid:` holds one item's Inception features at a time: its peak
/// memory is the same at 1,280 samples as at 12,800 (whose features alone are 94 MB more). The cache is
/// written by the test (stand-in features under the plan's keys), so no network runs; writing and reading
/// 140 MB of entries takes a while in a debug build, so the test is opt-in with the other heavy ones.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["BELM_HEAVY_TESTS"] == "1",
                             "writes 150 MB of cache entries: set BELM_HEAVY_TESTS=1 to run"))
struct FIDAssemblyMemoryTests {
    /// The peak resident set (KB) of assembling a site whose one FID cell has `count` samples.
    static func peakKilobytes(count: Int) throws -> Int {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-fid-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        // Only the weights' digest enters the keys, and a statistics file as the reference runs no network.
        try Data("stand-in weights".utf8).write(to: root.appendingPathComponent("inception.safetensors"))
        try StandardNormalReference.write(to: root.appendingPathComponent("reference.npz"))
        let d = FIDInception.featureWidth
        let config = root.appendingPathComponent("belm.yml")
        try """
            title: "FID memory"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              shapes: builtin:shapes
            experiments:
              - name: sampling
                kind: sampling
                samplers: [ddim]
                steps: [2]
                count: \(count)
                gallery: 1
                fid: {inception: inception.safetensors, reference: reference.npz}
            """.write(to: config, atomically: true, encoding: .utf8)
        let cache = ResultCache(folder: root.appendingPathComponent("cache"))
        try FileManager.default.createDirectory(at: cache.folder, withIntermediateDirectories: true)
        let siteConfig = try SiteConfigLoader.load(path: config.path, backends: ["cpu"])
        let runner = ModelExperimentRunner()
        let plan = try BuildPlan.make(config: siteConfig, runner: runner, backend: "cpu", cache: cache)
        var generator = SplitMix64(seed: 5)
        for planned in plan.items {
            guard case .cell(let cell) = planned.item.scope else { continue }
            let values = (0..<(cell.count * d)).map { _ in Float(generator.next() >> 40) * 0x1p-24 }
            let facts = RunFacts(key: planned.key, seconds: 0, compute: ComputeProvenance(backend: "cpu", device: "test", driver: nil, precision: .fp32),
                                 modelDigest: "builtin:shapes", codeVersion: runner.codeVersion)
            try cache.store(ResultCache.Entry(facts: facts, item: planned.item, result: .cell(CellItemResult(
                statistics: CellStatistics(), gallery: [], features: ItemFeatures(rows: cell.count, width: d, values: values)))))
        }
        let belm = try #require(BELMProcess.executable)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "peak-kilobytes %M", belm.path, "build", "--cached-only", "--quiet", "--config", config.path,
                             "--cache", cache.folder.path, "--out", root.appendingPathComponent("site").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // The page states the FID protocol.
        let page = try String(contentsOf: root.appendingPathComponent("site/sampling.html"), encoding: .utf8)
        #expect(page.contains("FID protocol: \(count) samples per cell (seed 0)"))
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("peak-kilobytes ") })
        return try #require(Int(line.dropFirst("peak-kilobytes ".count)))
    }

    @Test func assemblyMemoryDoesNotGrowWithTheSampleCount() throws {
        let few = try Self.peakKilobytes(count: 1_280), many = try Self.peakKilobytes(count: 12_800)
        print("peak resident memory of belm build --cached-only: \(few) KB at 1,280 samples, \(many) KB at 12,800")
        // The 11,520 more samples' features are 94 MB as float32: holding them would show.
        #expect(many - few < 24_000, "\(few) KB at 1,280 samples, \(many) KB at 12,800")
    }
}
