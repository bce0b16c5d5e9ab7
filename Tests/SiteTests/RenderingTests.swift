import Experiments
import Foundation
import Testing
@testable import Site

@Suite struct RenderingTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update(String(repeating: "a", count: 1000)) }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func htmlAndMarkdownEscaping() {
        #expect(HTMLText.escape("<a href=\"x\">Tom's & co</a>") == "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;")
        // Markdown punctuation is neutralised, then HTML-escaped; cmark turns it back into the literal text.
        let markdown = HTMLText.escapeMarkdown("a *red* [car](javascript:x) <b>")
        #expect(MarkdownRenderer.html(markdown) == "<p>a *red* [car](javascript:x) &lt;b&gt;</p>\n")
        #expect(MarkdownRenderer.html(HTMLText.escapeMarkdown("# 1. not a heading")) == "<p># 1. not a heading</p>\n")
    }

    @Test func placeholdersSurviveCmarkAndAreSwappedBack() {
        var fragments = FragmentTable()
        let table = fragments.placeholder(for: "<table>\n\n<tr><td>x</td></tr>\n\n</table>")
        let other = fragments.placeholder(for: "<b>two</b>")
        let html = fragments.substitute(into: MarkdownRenderer.html("# Title\n\n\(table)\n\ntext \(other) end\n"))
        #expect(html == "<h1>Title</h1>\n<table>\n\n<tr><td>x</td></tr>\n\n</table>\n<p>text <b>two</b> end</p>\n")
    }

    @Test func metricsFilesAreExactAndStable() throws {
        let records = [
            MetricRecord(experiment: "reconstruction", model: "builtin:shapes", sampler: "belm", steps: 20, metric: "mse", value: 1.3e-13, count: 16),
            MetricRecord(experiment: "reconstruction", model: "builtin:shapes", sampler: "ddim", steps: 20, metric: "mse", value: 4.5e-6, count: 16),
            MetricRecord(experiment: "a \"quoted\", name", model: "m", sampler: "x", steps: 1, metric: "psnr", value: 306, count: 1),
        ].sorted(by: MetricRecord.canonicalOrder)
        #expect(records.map(\.sampler) == ["x", "ddim", "belm"])
        #expect(try MetricsFiles.json(records) == """
            [
              {"experiment": "a \\"quoted\\", name", "model": "m", "sampler": "x", "steps": 1, "metric": "psnr", "value": 306.0, "count": 1},
              {"experiment": "reconstruction", "model": "builtin:shapes", "sampler": "ddim", "steps": 20, "metric": "mse", "value": 4.5e-06, "count": 16},
              {"experiment": "reconstruction", "model": "builtin:shapes", "sampler": "belm", "steps": 20, "metric": "mse", "value": 1.3e-13, "count": 16}
            ]

            """)
        #expect(try MetricsFiles.csv(records) == """
            experiment,model,sampler,steps,metric,value,count
            "a ""quoted"", name",m,x,1,psnr,306.0,1
            reconstruction,builtin:shapes,ddim,20,mse,4.5e-06,16
            reconstruction,builtin:shapes,belm,20,mse,1.3e-13,16

            """)
    }

    @Test func tablesMarkTheBestAndOnlyAClearBest() {
        #expect(MetricTables.bestIndex([3, 1, 2], lowerIsBetter: true) == 1)
        #expect(MetricTables.bestIndex([3, 1, 2], lowerIsBetter: false) == 0)
        #expect(MetricTables.bestIndex([1, 1, 2], lowerIsBetter: true) == nil)
        #expect(MetricTables.bestIndex([nil, 5], lowerIsBetter: true) == nil)
        let records = [("ddim", 4.5e-6), ("belm", 1.3e-13)].map {
            MetricRecord(experiment: "r", model: "m", sampler: $0.0, steps: 20, metric: "mse", value: $0.1, count: 4)
        }
        let html = MetricTables.perMetric(records)
        #expect(html.contains("<th data-sort=\"number\">DDIM</th><th data-sort=\"number\">O-BELM</th>"))
        #expect(html.contains("<td class=\"best\" data-value=\"1.3e-13\"><strong>1.300e-13</strong> ★</td>"))
        #expect(!html.contains("class=\"best\" data-value=\"4.5e-06\""))
    }

    @Test func measuredOrderOfAnExactPowerLaw() {
        let points = [10, 20, 40, 80].map { (steps: $0, error: 3 / pow(Double($0), 2)) }
        #expect(abs(ErrorPlots.order(points)! - 2) < 1e-12)
        #expect(ErrorPlots.order([(steps: 10, error: 1)]) == nil)
        #expect(ErrorPlots.order([(steps: 10, error: 0), (steps: 20, error: 0)]) == nil)
    }

    @Test func progressShowsStepAndTimeLeft() {
        final class Lines: @unchecked Sendable { var text = "" }
        let lines = Lines()
        let progress = TerminalProgress(isTerminal: false, write: { lines.text += $0 })
        progress.handle(.experiment(name: "reconstruction", index: 2, total: 5, cached: false))
        progress.handle(.progress(ExperimentProgress(experiment: "reconstruction", stage: "belm 20 steps", done: 20, total: 20)))
        progress.handle(.experiment(name: "sampling", index: 3, total: 5, cached: true))
        #expect(lines.text.contains("[2/5] reconstruction: running\n"))
        #expect(lines.text.contains("belm 20 steps  20/20  100%"))
        // On a terminal the line is redrawn in place; with too little done it does not guess the time left.
        let terminal = Lines()
        let live = TerminalProgress(isTerminal: true, write: { terminal.text += $0 })
        live.handle(.progress(ExperimentProgress(experiment: "reconstruction", stage: "ddim 50 steps", done: 1, total: 100)))
        #expect(terminal.text == "\r\u{1B}[2K      ddim 50 steps  1/100    1%")
        #expect(lines.text.contains("[3/5] sampling: up to date (cached)\n"))
        #expect(TerminalProgress.duration(75) == "1 min 15 s")
    }
}

@Suite struct PageEscapingTests {
    static let cpu = ComputeProvenance(backend: "cpu", device: "test CPU", driver: nil, precision: .fp32)
    static let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Templates").standardizedFileURL.path

    /// Prompts and edit targets from the config reach the page as text, never as markup.
    @Test func promptsAreEscapedOnTheirPages() throws {
        let yaml = """
            title: "T"
            templates: \(Self.templates)
            models: {shapes: builtin:shapes}
            experiments:
              - kind: sampling
                prompts: ["a <b>bold</b> *cat* & [link](javascript:x)"]
              - kind: editing
                prompts: ["<script>alert(1)</script>"]
                targets: ["a `dog`"]

            """
        let config = try SiteConfigLoader.parse(yaml, file: "belm.yml", directory: "/tmp", backends: ["cpu"])
        let outcomes = config.experiments.map {
            ExperimentOutcome(spec: $0, result: ExperimentResult(records: []),
                              run: RunFacts(key: "k", seconds: 0, compute: Self.cpu, modelDigest: "d", codeVersion: "c"))
        }
        let results = SiteResults(config: config, outcomes: outcomes,
                                  environment: BuildEnvironment(belmVersion: "t", swiftVersion: "6", operatingSystem: "x", compute: Self.cpu, command: "belm build"))
        let templates = try TemplateSet(builtIn: Self.templates, overrides: "/nonexistent", pagesDirectory: "/nonexistent",
                                        needed: SiteRenderer.neededTemplates(for: config))
        let files = try SiteRenderer(results: results, templates: templates).render().files
        let sampling = String(decoding: files["sampling.html"]!, as: UTF8.self)
        #expect(sampling.contains("<li>a &lt;b&gt;bold&lt;/b&gt; *cat* &amp; [link](javascript:x)</li>"))
        let editing = String(decoding: files["editing.html"]!, as: UTF8.self)
        #expect(editing.contains("<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> → <strong>a `dog`</strong>"))
        #expect(!editing.contains("<script>alert"))
    }
}
