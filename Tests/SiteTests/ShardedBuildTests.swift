import ArgumentParser
import Compute
import Experiments
import Foundation
import Models
import BELMTestSupport
import Testing
@testable import BELMCommands
@testable import Site

/// A site split into work items and computed in shares over one cache gives the same site as one process.
@Suite struct ShardedBuildTests {
    /// A sampling experiment (two cell items per cell with 66 samples, 64 an item) at `steps`, a reconstruction and
    /// a whole-experiment kind, on the embedded reference model with few steps.
    static func fixture(count: Int = 66, steps: [Int] = [2, 3]) throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        try """
            title: "Shards"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              shapes: builtin:shapes
            experiments:
              - name: sampling
                kind: sampling
                samplers: [ddim, belm]
                steps: [\(steps.map(String.init).joined(separator: ", "))]
                count: \(count)
                classes: [0, 1, 2]
                gallery: 3
              - name: reconstruction
                kind: reconstruction
                samplers: [ddim, belm]
                steps: [2]
                count: 3
              - name: interpolation
                kind: interpolation
                samplers: [ddim]
                steps: [2]
                frames: 3
            """.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        return fixture
    }

    static func builder(_ fixture: SiteBuildTests.Fixture, batchSize: Int, cache: URL, output: URL,
                        report: @escaping @Sendable (BuildEvent) -> Void = { _ in }) throws -> SiteBuilder {
        var builder = try fixture.builder(runner: ModelExperimentRunner(batchSize: batchSize))
        builder.cache = ResultCache(folder: cache)
        builder.output = output
        builder.report = report
        return builder
    }

    static func files(under folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in SiteChecks.files(under: folder) where path != "reproducibility.html" {
            files[path] = try Data(contentsOf: folder.appendingPathComponent(path))
        }
        return files
    }

    @Test func oneProcessAndThreeShardsWithAnotherBatchSizeWriteTheSameSite() throws {
        // One step count: each cell still spans two items, which the shards split.
        let fixture = try Self.fixture(steps: [2])
        defer { fixture.remove() }
        let alone = fixture.root.appendingPathComponent("alone"), sharded = fixture.root.appendingPathComponent("sharded")
        let one = try Self.builder(fixture, batchSize: 8, cache: fixture.root.appendingPathComponent("cache-1"), output: alone).build()
        #expect(one.ran == ["sampling", "reconstruction", "interpolation"])

        let cache = fixture.root.appendingPathComponent("cache-3")
        var computed = 0
        for index in 0..<3 {
            let summary = try Self.builder(fixture, batchSize: 3, cache: cache, output: sharded).build(.shard(try Shard(index: index, count: 3)))
            #expect(summary.files == 0)
            computed += summary.itemsRun
        }
        #expect(!FileManager.default.fileExists(atPath: sharded.path), "a shard writes no site")
        #expect(computed == one.itemsRun, "the shares cover every item once")
        let assembled = try Self.builder(fixture, batchSize: 3, cache: cache, output: sharded).build(.cachedOnly)
        #expect(assembled.itemsRun == 0)

        // Every image and metrics.json byte for byte; only the run times on the reproducibility page differ.
        let a = try Self.files(under: alone), b = try Self.files(under: sharded)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a where b[path] != data { Issue.record("\(path) differs between one process and three shards") }
        let metrics = try String(contentsOf: alone.appendingPathComponent("metrics.json"), encoding: .utf8)
        #expect(metrics.contains("\"experiment\": \"sampling\", \"model\": \"builtin:shapes\", \"sampler\": \"ddim\", \"steps\": 2, \"metric\": \"nfe\", \"value\": 2.0, \"count\": 66"))
        // The gallery shows 3 of the 66 samples per cell.
        let samplingPage = try String(contentsOf: alone.appendingPathComponent("sampling.html"), encoding: .utf8)
        #expect(samplingPage.contains("the metrics take all 66"))
    }

    @Test func cachedOnlyWithItemsMissingWritesNothingAndSaysWhatToRun() throws {
        let fixture = try Self.fixture(count: 6)
        defer { fixture.remove() }
        let cache = fixture.root.appendingPathComponent("cache")
        try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build()
        let before = try Self.files(under: fixture.output)
        // Two more step counts: their items are not in the cache.
        let config = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "steps: [2, 3]", with: "steps: [2, 3, 5]")
        try config.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        #expect { try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build(.cachedOnly) } throws: { error in
            let text = (error as? MissingItems)?.description ?? ""
            return text.contains("2 work items are not in the cache") && text.contains("sampling: 2 missing")
                && text.contains("sampling ddim 5 steps seed 0 items 0–5 (not computed)") && text.contains("--backend cpu --shard I/N")
        }
        var command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", cache.path, "--cached-only", "--quiet"])
        #expect(throws: ExitCode.failure) { try command.run() }
        #expect(try Self.files(under: fixture.output) == before, "the previous site is untouched")
        command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", cache.path, "--shard", "0/1", "--quiet"])
        try command.run()
        command = try BuildCommand.parse(["--config", fixture.configPath, "--out", fixture.output.path, "--cache", cache.path, "--cached-only", "--quiet"])
        try command.run()
        #expect(try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8).contains("sampling,builtin:shapes,belm,5,nfe"))
    }

    @Test func aTruncatedOrCorruptEntryIsReportedAndRecomputed() throws {
        let fixture = try Self.fixture(count: 2)
        defer { fixture.remove() }
        let cache = fixture.root.appendingPathComponent("cache")
        try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build()
        let before = try Self.files(under: fixture.output)
        let entries = try FileManager.default.contentsOfDirectory(atPath: cache.path).filter { $0.hasSuffix(".entry") }.sorted()
        let truncated = cache.appendingPathComponent(entries[0]), flipped = cache.appendingPathComponent(entries[1])
        let whole = try Data(contentsOf: truncated)
        try whole.prefix(whole.count / 2).write(to: truncated)
        var bytes = [UInt8](try Data(contentsOf: flipped))
        bytes[bytes.count - 10] ^= 0x01
        try Data(bytes).write(to: flipped)

        #expect { try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build(.cachedOnly) } throws: { error in
            let text = "\(error)"
            return text.contains("2 work items are not in the cache") && text.contains("(damaged: fails its checksum") && text.contains("(damaged: is truncated")
        }
        let events = EventLog()
        let summary = try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output, report: { events.add($0) }).build()
        #expect(summary.itemsRun == 2)
        let damaged = events.all.compactMap { event -> String? in
            if case let .damagedEntry(path, reason) = event { return "\((path as NSString).lastPathComponent): \(reason)" }
            return nil
        }.sorted()
        #expect(damaged.count == 2)
        #expect(damaged.contains { $0.hasPrefix(entries[0]) && $0.contains("truncated") })
        #expect(damaged.contains { $0.hasPrefix(entries[1]) && $0.contains("checksum") })
        #expect(try Self.files(under: fixture.output) == before)
        for name in entries.prefix(2) {
            guard case .found = ResultCache(folder: cache).load(String(name.dropLast(".entry".count))) else {
                Issue.record("\(name) was not stored again"); continue
            }
        }
    }

    /// Three `belm build --shard I/3` processes at once on one cache, the first killed with SIGKILL while it
    /// runs and then run again, and `--cached-only`: the same site as one process.
    @Test func concurrentShardsWithOneKilledAndRerunEqualOneProcess() throws {
        let belm = try #require(BELMProcess.executable, "build the belm executable first (swift build)")
        let fixture = try Self.fixture(count: 6)
        defer { fixture.remove() }
        let alone = fixture.root.appendingPathComponent("alone"), sharded = fixture.root.appendingPathComponent("sharded")
        let one = try BELMProcess.run(["build", "--config", fixture.configPath, "--cache", fixture.root.appendingPathComponent("cache-1").path,
                                       "--backend", "cpu", "--out", alone.path])
        #expect(one.status == 0, "\(one.errors)")

        let cache = fixture.root.appendingPathComponent("cache-3").path
        func shard(_ index: Int) throws -> (Process, Pipe) {
            let process = Process(), errors = Pipe()
            process.executableURL = belm
            process.arguments = ["build", "--config", fixture.configPath, "--cache", cache, "--backend", "cpu", "--shard", "\(index)/3"]
            process.standardError = errors
            try process.run()
            return (process, errors)
        }
        let tasks = try (0..<3).map(shard)
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("running") {
            let chunk = tasks[0].1.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        kill(tasks[0].0.processIdentifier, SIGKILL)
        for (process, errors) in tasks {
            _ = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
        }
        #expect(tasks[0].0.terminationReason == .uncaughtSignal)
        #expect(tasks[1...].allSatisfy { $0.0.terminationStatus == 0 })
        let rerun = try BELMProcess.run(["build", "--config", fixture.configPath, "--cache", cache, "--backend", "cpu", "--shard", "0/3"])
        #expect(rerun.status == 0, "\(rerun.errors)")
        let assemble = try BELMProcess.run(["build", "--config", fixture.configPath, "--cache", cache, "--backend", "cpu", "--cached-only", "--out", sharded.path])
        #expect(assemble.status == 0, "\(assemble.errors)")
        let a = try Self.files(under: alone), b = try Self.files(under: sharded)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a where b[path] != data { Issue.record("\(path) differs between one process and three killed-and-rerun shards") }
    }

    @Test func exportWritesEverySampleOnlyWhenAsked() throws {
        let fixture = try Self.fixture(count: 5)
        defer { fixture.remove() }
        let cache = fixture.root.appendingPathComponent("cache")
        try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build()
        #expect(!FileManager.default.fileExists(atPath: fixture.output.appendingPathComponent("samples").path))
        let config = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "gallery: 3", with: "gallery: 2\n    export: samples")
        try config.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        try Self.builder(fixture, batchSize: 8, cache: cache, output: fixture.output).build()
        let files = SiteChecks.files(under: fixture.output).filter { $0.hasPrefix("samples/") }.sorted()
        let expected = ["ddim", "belm"].flatMap { sampler in [2, 3].flatMap { steps in (0..<5).map { String(format: "samples/sampling/\(sampler)-\(steps)/%06d.png", $0) } } }
        #expect(files == expected.sorted())
        let image = try PNGCodec.read(fixture.output.appendingPathComponent("samples/sampling/belm-3/000004.png"))
        #expect(image.width == 32 && image.height == 32)
        // The gallery still shows two per cell.
        let page = try String(contentsOf: fixture.output.appendingPathComponent("sampling.html"), encoding: .utf8)
        #expect(page.contains("the same 2 noises"))
    }

    @Test func aPageNamesTheDevicesItsItemsWereComputedOn() throws {
        let fixture = try Self.fixture(count: 2)
        defer { fixture.remove() }
        for (index, device) in ["GPU A", "GPU B"].enumerated() {
            var builder = try Self.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output)
            builder.environment.compute.device = device
            try builder.build(.shard(Shard(index: index, count: 2)))
        }
        try Self.builder(fixture, batchSize: 8, cache: fixture.cache, output: fixture.output).build(.cachedOnly)
        let page = try String(contentsOf: fixture.output.appendingPathComponent("sampling.html"), encoding: .utf8)
        #expect(page.contains("computed on 2 devices: cpu · GPU A · fp32; cpu · GPU B · fp32."))
    }

    @Test func exportIsRefusedWhereItHasNoSamples() throws {
        let fixture = try Self.fixture(count: 5)
        defer { fixture.remove() }
        let config = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "frames: 3", with: "frames: 3\n    export: samples")
        try config.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        #expect { try SiteConfigLoader.load(path: fixture.configPath, backends: ["cpu"]) } throws: { error in
            "\(error)".contains("experiment 'interpolation' is of kind 'interpolation'; `export: samples` applies to sampling and reconstruction")
        }
    }

    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [BuildEvent] = []
        func add(_ event: BuildEvent) { lock.lock(); events.append(event); lock.unlock() }
        var all: [BuildEvent] { lock.lock(); defer { lock.unlock() }; return events }
    }
}
