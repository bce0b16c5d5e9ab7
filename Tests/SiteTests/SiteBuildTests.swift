import Compute
import Experiments
import Foundation
import Models
import Testing
@testable import Site

/// Builds small sites into temporary folders and checks what a reader and a static host would see.
@Suite struct SiteBuildTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// A site folder with a config whose strings need escaping, an extra page and a page override.
    struct Fixture {
        let root: URL
        var configPath: String { root.appendingPathComponent("site/belm.yml").path }
        var output: URL { root.appendingPathComponent("out/_site") }
        var cache: URL { root.appendingPathComponent("cache") }

        init(extraExperiment: String = "") throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("belm-site-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("site/pages"), withIntermediateDirectories: true)
            let config = """
                title: "Inversion <script>alert(1)</script> & *friends*"
                subtitle: "A <b>test</b> site"
                templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
                models:
                  tiny: "gmm:tiny-set"
                experiments:
                  - name: sampling
                    kind: sampling
                    description: "Samples <img src=x onerror=alert(2)> [link](javascript:alert(3))"
                    steps: [4, 8]
                    count: 2
                    classes: [0, 1]
                  - name: reconstruction
                    kind: reconstruction
                    steps: [4, 8]
                    count: 2
                  - name: convergence
                    kind: convergence
                    steps: [4, 8, 16]
                    count: 1
                    spread: 0.3
                \(extraExperiment)
                """
            try config.write(to: URL(fileURLWithPath: configPath), atomically: true, encoding: .utf8)
            try Self.writeTinySet(to: root.appendingPathComponent("site/tiny-set"))
            try "# About\n\nThis page was added under site/pages without touching Swift: {{site.title}}.\n"
                .write(to: root.appendingPathComponent("site/pages/about.md.mustache"), atomically: true, encoding: .utf8)
        }

        /// A four-image, two-class, 12×12 set (SSIM needs 11 pixels a side) for the reference mixture (`gmm:`): the real experiments on it
        /// take a fraction of a second even in a debug build.
        static func writeTinySet(to folder: URL) throws {
            for (label, name) in ["disc", "square"].enumerated() {
                let classFolder = folder.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
                for variant in 0..<2 {
                    var image = PlanarImage(channels: 3, height: 12, width: 12, filledWith: -0.8)
                    for y in 0..<12 {
                        for x in 0..<12 {
                            let dx = Double(x) - 5.5, dy = Double(y) - 5.5
                            let inside = label == 0 ? dx * dx + dy * dy < 16 : abs(dx) < 3.6 && abs(dy) < 3.6
                            guard inside else { continue }
                            for c in 0..<3 { image[c, y, x] = Float([0.9, -0.2 + 0.6 * Double(variant), 0.3 * Double(label)][c]) }
                        }
                    }
                    try PNGCodec.write(image, to: classFolder.appendingPathComponent("\(variant).png"))
                }
            }
        }

        func builder(runner: any ExperimentRunner) throws -> SiteBuilder {
            let config = try SiteConfigLoader.load(path: configPath, backends: ["cpu"])
            let backend = CPUBackend()
            return SiteBuilder(config: config, runner: runner, backend: backend, cache: ResultCache(folder: cache), output: output,
                               environment: BuildEnvironment(belmVersion: "test", swiftVersion: "6", operatingSystem: "test", compute: ComputeProvenance(backend: backend.name, device: "test CPU", driver: nil, precision: .fp32), command: "belm build --config \(configPath)"))
        }

        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for path in SiteChecks.files(under: output) { files[path] = try Data(contentsOf: output.appendingPathComponent(path)) }
            return files
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    @Test func buildsACompleteSiteWhereEverythingResolves() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let runner = CountingRunner()
        let summary = try fixture.builder(runner: runner).build()
        #expect(summary.ran == ["sampling", "reconstruction", "convergence"])
        let files = SiteChecks.files(under: fixture.output)
        for page in ["index.html", "sampling.html", "reconstruction.html", "convergence.html", "reproducibility.html", "about.html",
                     "metrics.json", "metrics.csv", "assets/site.css", "assets/site.js",
                     "figures/reconstruction-mse.svg", "figures/reconstruction-mse.png", "figures/convergence-ode_error.svg",
                     "figures/reconstruction-round-trip.png", "figures/reconstruction-round-trip@8x.png"] {
            #expect(files.contains(page), "missing \(page)")
        }
        #expect(SiteChecks.linkProblems(in: fixture.output) == [])
        for page in files where page.hasSuffix(".html") {
            let html = try String(contentsOf: fixture.output.appendingPathComponent(page), encoding: .utf8)
            #expect(SiteChecks.htmlProblems(html) == [], "\(page)")
        }
        var pngCount = 0
        for path in files where path.hasSuffix(".png") {
            let image = try PNGCodec.read(fixture.output.appendingPathComponent(path))
            #expect(image.width > 0 && image.height > 0)
            pngCount += 1
        }
        #expect(pngCount >= 20)
        if let (status, output) = SiteChecks.runPythonChecker(fixture.output) {
            #expect(status == 0, "check_site.py: \(output)")
        }
        // To look at the result: BELM_KEEP_TEST_SITE=/some/folder swift test --filter buildsACompleteSite
        if let keep = ProcessInfo.processInfo.environment["BELM_KEEP_TEST_SITE"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: fixture.output, to: URL(fileURLWithPath: keep))
        }
    }

    /// The reference model and builtin:shapes-unet in one site: both experiments run, get their own pages and
    /// figures, sit next to each other on the index, and their records name their models.
    @Test func twoModelsBuildSideBySide() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let config = """
            title: "Two models"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              tiny: "gmm:tiny-set"
              unet: builtin:shapes-unet
            experiments:
              - name: reconstruction
                title: "Reconstruction · exact model"
                model: tiny
                kind: reconstruction
                samplers: [ddim, belm]
                steps: [2]
                count: 1
              - name: reconstruction-unet
                title: "Reconstruction · UNet"
                model: unet
                kind: reconstruction
                samplers: [ddim, belm]
                steps: [2]
                count: 1
            """
        try config.write(to: URL(fileURLWithPath: fixture.configPath), atomically: true, encoding: .utf8)
        let summary = try fixture.builder(runner: CountingRunner()).build()
        #expect(summary.ran == ["reconstruction", "reconstruction-unet"])
        let files = SiteChecks.files(under: fixture.output)
        for page in ["reconstruction.html", "reconstruction-unet.html", "figures/reconstruction-round-trip.png", "figures/reconstruction-unet-round-trip.png"] {
            #expect(files.contains(page), "missing \(page)")
        }
        #expect(SiteChecks.linkProblems(in: fixture.output) == [])
        let index = try String(contentsOf: fixture.output.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("Reconstruction · exact model") && index.contains("Reconstruction · UNet"))
        let metrics = try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(metrics.contains("reconstruction-unet,builtin:shapes-unet,belm") && metrics.contains("reconstruction,gmm:tiny-set,belm"), "\(metrics)")
        if let (status, output) = SiteChecks.runPythonChecker(fixture.output) {
            #expect(status == 0, "check_site.py: \(output)")
        }
    }

    @Test func userStringsAreEscaped() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let index = try String(contentsOf: fixture.output.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("Inversion &lt;script&gt;alert(1)&lt;/script&gt; &amp; *friends*"))
        #expect(!index.contains("<script>alert"))
        #expect(index.contains("A &lt;b&gt;test&lt;/b&gt; site"))
        let sampling = try String(contentsOf: fixture.output.appendingPathComponent("sampling.html"), encoding: .utf8)
        #expect(!sampling.contains("<img src=x"))
        #expect(!sampling.contains("href=\"javascript:"))
        #expect(sampling.contains("&lt;img src=x onerror=alert(2)&gt;"))
        let about = try String(contentsOf: fixture.output.appendingPathComponent("about.html"), encoding: .utf8)
        #expect(about.contains("without touching Swift: Inversion &lt;script&gt;"))
    }

    @Test func rebuildRunsNothingAndGivesTheSameBytes() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let runner = CountingRunner()
        try fixture.builder(runner: runner).build()
        let first = try fixture.snapshot()
        #expect(runner.runs.all == ["sampling", "reconstruction", "convergence"])
        let summary = try fixture.builder(runner: runner).build()
        #expect(runner.runs.all == ["sampling", "reconstruction", "convergence"])
        #expect(summary.ran.isEmpty)
        #expect(summary.cached == ["sampling", "reconstruction", "convergence"])
        let second = try fixture.snapshot()
        #expect(first.keys.sorted() == second.keys.sorted())
        for (path, data) in first { #expect(second[path] == data, "\(path) changed") }
    }

    @Test func changingOneExperimentRerunsOnlyThatOne() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let runner = CountingRunner()
        try fixture.builder(runner: runner).build()
        let text = try String(contentsOfFile: fixture.configPath, encoding: .utf8).replacingOccurrences(of: "steps: [4, 8, 16]", with: "steps: [4, 8]")
        try text.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let summary = try fixture.builder(runner: runner).build()
        #expect(summary.ran == ["convergence"])
        #expect(runner.runs.all == ["sampling", "reconstruction", "convergence", "convergence"])
    }

    /// A runner that fails partway, as a killed or crashing run would.
    struct FailingRunner: ExperimentRunner {
        var codeVersion = "changed"
        var supportedKinds: Set<ExperimentKind> = Set(ExperimentKind.allCases)
        struct Failure: Error {}
        func modelDigest(_ model: String, digests: FileDigests) throws -> String { "probe:" + model }
        func run(_ request: ExperimentRequest, backend: any Backend, progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
            progress(ExperimentProgress(experiment: request.name, stage: "starting", done: 0, total: 10))
            throw Failure()
        }
    }

    @Test func aFailedBuildLeavesThePreviousSiteIntact() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let before = try fixture.snapshot()
        #expect { try fixture.builder(runner: FailingRunner()).build() } throws: { error in
            let failure = error as? ExperimentFailure
            return failure?.experiment == "sampling" && failure?.underlying is FailingRunner.Failure && failure?.line == 7
        }
        #expect(try fixture.snapshot() == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.output.deletingLastPathComponent().path)
        #expect(leftovers == ["_site"])
    }

    @Test func unwritableOrForeignOutputFoldersAreRefused() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // An output folder below a file cannot be created.
        let blocker = fixture.root.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        var builder = try fixture.builder(runner: CountingRunner())
        builder.output = blocker.appendingPathComponent("_site")
        #expect { try builder.build() } throws: { error in
            (error as? SiteWriteError)?.reason.contains("cannot create the folder") == true
        }
        // A folder with other files in it is not replaced.
        let foreign = fixture.root.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: foreign.appendingPathComponent("thesis.tex"))
        builder.output = foreign
        #expect { try builder.build() } throws: { error in
            (error as? SiteWriteError)?.reason.contains("did not write") == true
        }
        #expect(FileManager.default.fileExists(atPath: foreign.appendingPathComponent("thesis.tex").path))
    }

    @Test func kindsTheRunnerCannotRunAndMissingTemplatesAreNamed() throws {
        let fixture = try Fixture(extraExperiment: "  - name: morph\n    kind: interpolation\n")
        defer { fixture.remove() }
        let runner = CountingRunner(kinds: [.sampling, .reconstruction, .convergence])
        #expect { try fixture.builder(runner: runner).build() } throws: { error in
            let e = error as? ConfigError
            return e?.line == 22 && e?.message.contains("'interpolation', which this build of belm cannot run") == true
        }
        var config = try SiteConfigLoader.load(path: fixture.configPath, backends: ["cpu"])
        config.experiments.removeLast()
        let emptyTemplates = fixture.root.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: emptyTemplates, withIntermediateDirectories: true)
        try Data("{{{content}}}".utf8).write(to: emptyTemplates.appendingPathComponent("layout.html.mustache"))
        config.templatesDirectory = emptyTemplates.path
        var builder = try fixture.builder(runner: CountingRunner())
        builder.config = config
        #expect { try builder.build() } throws: { error in
            let e = error as? ConfigError
            return e?.file.hasSuffix("index.md.mustache") == true && e?.message.contains("missing template") == true
        }
    }

    @Test func theSiteFolderOverridesTemplatesAndAssets() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let pages = fixture.root.appendingPathComponent("site/pages")
        try FileManager.default.createDirectory(at: pages.appendingPathComponent("templates"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: pages.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try "# Our own reproducibility page\n\n{{{command_block}}}\n".write(to: pages.appendingPathComponent("templates/reproducibility.md.mustache"), atomically: true, encoding: .utf8)
        try "body { font-family: serif; }\n".write(to: pages.appendingPathComponent("assets/site.css"), atomically: true, encoding: .utf8)
        try fixture.builder(runner: CountingRunner()).build()
        let page = try String(contentsOf: fixture.output.appendingPathComponent("reproducibility.html"), encoding: .utf8)
        #expect(page.contains("<h1>Our own reproducibility page</h1>"))
        #expect(page.contains("<pre class=\"command\"><code>belm build --config"))
        #expect(try String(contentsOf: fixture.output.appendingPathComponent("assets/site.css"), encoding: .utf8) == "body { font-family: serif; }\n")
        #expect(FileManager.default.fileExists(atPath: fixture.output.appendingPathComponent("assets/site.js").path))
    }

    @Test func metricsFilesFollowTheContract() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try fixture.builder(runner: CountingRunner()).build()
        let data = try Data(contentsOf: fixture.output.appendingPathComponent("metrics.json"))
        let records = try JSONDecoder().decode([MetricRecord].self, from: data)
        #expect(records == records.sorted(by: MetricRecord.canonicalOrder))
        #expect(records.contains { $0.experiment == "reconstruction" && $0.sampler == "belm" && $0.steps == 8 && $0.metric == "mse" && $0.model == "gmm:tiny-set" && $0.count == 2 })
        let csv = try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == "experiment,model,sampler,steps,metric,value,count")
        #expect(csv.count == records.count + 1)
    }
}
