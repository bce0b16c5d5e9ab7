import Compute
import Experiments
import Foundation
import Testing
@testable import Site

/// What a build must not destroy or leave behind: the user's files inside `--out`, an unwritable cache found
/// too late, temporaries of a killed build, a non-finite number written as if it were one.
@Suite struct BuildSafetyTests {
    /// Every way the build's own files can sit inside the output folder: the config's folder given as
    /// `--out` (after a build marked it as a site), through `..` or a symbolic link, and a cache, templates,
    /// model or images folder inside the output.
    @Test func anOutputHoldingTheBuildsOwnFilesIsRefused() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        let site = fixture.root.appendingPathComponent("site")
        try Data().write(to: site.appendingPathComponent(".belm-site"))
        try FileManager.default.createSymbolicLink(at: fixture.root.appendingPathComponent("link"), withDestinationURL: site)
        let before = SiteChecks.files(under: fixture.root)
        let runner = CountingRunner()
        let cases: [(URL, URL, String)] = [
            (site, fixture.cache, "holds the config"),
            (URL(fileURLWithPath: fixture.root.path + "/out/../site"), fixture.cache, "holds the config"),
            (fixture.root.appendingPathComponent("link"), fixture.cache, "holds the config"),
            (fixture.output, fixture.output.appendingPathComponent("cache"), "holds the cache folder"),
            (fixture.root, fixture.cache, "holds the config"),
        ]
        for (output, cache, expected) in cases {
            var builder = try fixture.builder(runner: runner)
            builder.output = output
            builder.cache = ResultCache(folder: cache)
            #expect { try builder.build() } throws: { error in
                (error as? SiteWriteError)?.reason.contains(expected) == true && (error as? SiteWriteError)?.reason.contains("nothing was written") == true
            }
        }
        var builder = try fixture.builder(runner: runner)
        builder.output = site.appendingPathComponent("tiny-set/..")
        #expect { try builder.build() } throws: { ($0 as? SiteWriteError)?.reason.contains("holds the config") == true }
        builder.output = site.appendingPathComponent("tiny-set")
        builder.config.file = fixture.root.appendingPathComponent("elsewhere.yml").path
        #expect { try builder.build() } throws: { ($0 as? SiteWriteError)?.reason.contains("the folder of model 'tiny'") == true }
        builder.config.templatesDirectory = fixture.root.appendingPathComponent("out/_site/templates").path
        builder.output = fixture.root.appendingPathComponent("out")
        #expect { try builder.build() } throws: { ($0 as? SiteWriteError)?.reason.contains("the templates folder") == true }
        #expect(runner.runs.all.isEmpty)
        #expect(SiteChecks.files(under: fixture.root) == before, "a refused build wrote or deleted files")
    }

    @Test func anUnwritableCacheIsFoundBeforeAnyExperimentRuns() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        let blocker = fixture.root.appendingPathComponent("not-a-folder")
        try Data("x".utf8).write(to: blocker)
        let runner = CountingRunner()
        var builder = try fixture.builder(runner: runner)
        builder.cache = ResultCache(folder: blocker.appendingPathComponent("cache"))
        #expect { try builder.build() } throws: { error in
            let e = error as? SiteWriteError
            return e?.path == blocker.appendingPathComponent("cache").path && e?.reason.contains("pass a writable --cache") == true
        }
        #expect(runner.runs.all.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.output.path))
    }

    /// `.KEY.json.partial-PID` files of processes that are gone, or that are hours old, go; those of a
    /// running process and everything else stay.
    @Test func temporariesOfKilledBuildsAreCleared() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        try FileManager.default.createDirectory(at: fixture.cache, withIntermediateDirectories: true)
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        // A cache entry's temporary names its machine: one of this machine's dead processes goes; one of
        // another machine sharing the folder stays until it is hours old, whatever its process id.
        let names = [".\(String(repeating: "a", count: 64)).json.partial-\(gone.processIdentifier)",
                     ".old.json.partial-\(getpid())", ".k.entry.partial-\(ResultCache.hostTag)-\(gone.processIdentifier)",
                     ".fresh.json.partial-\(getpid())", "notes.txt", ".partial-x", ".k.entry.partial-node-17-\(gone.processIdentifier)"]
        for name in names { try Data("{".utf8).write(to: fixture.cache.appendingPathComponent(name)) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7 * 3600)],
                                              ofItemAtPath: fixture.cache.appendingPathComponent(names[1]).path)
        try fixture.builder(runner: CountingRunner()).build()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: fixture.cache.path))
        #expect(!left.contains(names[0]) && !left.contains(names[1]) && !left.contains(names[2]))
        #expect(left.isSuperset(of: names[3...]))
    }

    /// A runner whose first record is not a finite number.
    struct DivergingRunner: ExperimentRunner {
        var base = CountingRunner()
        var value = Double.nan
        var codeVersion: String { base.codeVersion + "-diverging" }
        var supportedKinds: Set<ExperimentKind> { base.supportedKinds }
        func modelDigest(_ model: String, digests: FileDigests) throws -> String { try base.modelDigest(model, digests: digests) }
        func run(_ request: ExperimentRequest, backend: any Backend, progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
            var result = try base.run(request, backend: backend, progress: progress)
            result.records[0].value = value
            return result
        }
    }

    @Test func aNonFiniteMetricIsNamedAndNothingIsWritten() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let before = try fixture.snapshot()
        let results = { try FileManager.default.contentsOfDirectory(atPath: fixture.cache.path).filter { $0 != "file-digests.json" }.sorted() }
        let entries = try results()
        for value in [Double.nan, -.infinity] {
            #expect { try fixture.builder(runner: DivergingRunner(value: value)).build() } throws: { error in
                guard let e = error as? NonFiniteMetric else { return false }
                let r = e.record
                return r.experiment == "sampling" && r.model == "gmm:tiny-set" && e.description.contains("experiment 'sampling', model gmm:tiny-set, sampler \(r.sampler), \(r.steps) steps: metric '\(r.metric)' is \(value)")
            }
        }
        #expect(try fixture.snapshot() == before)
        #expect(try results() == entries)
        // The metrics files refuse one too, whatever produced it.
        let record = MetricRecord(experiment: "e", model: "m", sampler: "ddim", steps: 4, metric: "ssim", value: .infinity, count: 1)
        #expect(throws: NonFiniteMetric.self) { try MetricsFiles.json([record]) }
        #expect(throws: NonFiniteMetric.self) { try MetricsFiles.csv([record]) }
    }
}
