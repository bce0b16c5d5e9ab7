import Experiments
import Foundation
import Testing
@testable import Site

/// FID against steps, one line per sampler (the shape of the paper's Table 3): steps on a logarithmic axis,
/// FID on a linear one, on the experiment page and in the paper kit as PDF, SVG and PNG.
@Suite struct FIDPlotTests {
    static let steps = [10, 20, 50, 100]
    static let fids: [String: [Double]] = ["ddim": [12.5, 8.1, 5.9, 4.7], "belm": [9.3, 6.2, 4.6, 4.1]]

    static var records: [MetricRecord] {
        fids.flatMap { sampler, values in
            zip(steps, values).map { MetricRecord(experiment: "sampling", model: "m", sampler: sampler, steps: $0, metric: "fid", value: $1, count: 50_000) }
        }
    }

    @Test func fidIsPlottedOnALinearAxisWithoutOrders() throws {
        let plots = ErrorPlots.plots(Self.records, showOrders: true)
        let plot = try #require(plots.first { $0.metric == "fid" }?.plot)
        #expect(plots.count == 1)
        #expect(plot.yScale == .linear)
        #expect(plot.title == "FID against steps" && plot.yLabel == "FID")
        #expect(plot.series.map(\.label).sorted() == ["DDIM", "O-BELM"], "no order of convergence on a score")
        #expect(plot.xTicks == [10, 20, 50, 100])
        // 4.1…12.5 in steps of 2: the ticks are round numbers covering every point.
        #expect(plot.yRange == (4, 14))
        #expect(plot.yTicks == [4, 6, 8, 10, 12, 14])
        #expect(plot.yTickLabel(6) == "6")
        let frame = try plot.measuredLayout().frame
        #expect(plot.position(x: 10, y: 12.5, in: frame).1 < plot.position(x: 10, y: 4.7, in: frame).1, "a larger FID is higher")
        #expect(try PopplerTools.problems(try plot.pdf(), name: "fid plot").isEmpty)
        // One step count gives no plot.
        #expect(ErrorPlots.plots(Self.records.filter { $0.steps == 10 }, showOrders: false).isEmpty)
    }

    @Test func aSmallRangeGetsDecimalTicks() {
        let plot = LogLogPlot(title: "FID against steps", xLabel: "steps", yLabel: "FID", series: [
            .init(label: "DDIM", style: .of("ddim"), points: [(10, 3.21), (20, 3.05)]),
        ], yScale: .linear)
        #expect(plot.yTicks.count >= 4 && plot.yTicks.first! <= 3.05 && plot.yTicks.last! >= 3.21)
        #expect(plot.yTickLabel(plot.yTicks[1]).contains("."))
    }

    @Test func theExperimentPageAndThePaperKitShowIt() throws {
        let yaml = """
            title: "T"
            templates: \(PageEscapingTests.templates)
            models: {m: builtin:shapes}
            experiments:
              - name: sampling
                kind: sampling
                samplers: [ddim, belm]
                steps: [10, 20, 50, 100]

            """
        let config = try SiteConfigLoader.parse(yaml, file: "belm.yml", directory: "/tmp", backends: ["cpu"])
        let outcomes = config.experiments.map {
            ExperimentOutcome(spec: $0, result: ExperimentResult(records: Self.records),
                              run: RunFacts(key: "k", seconds: 0, compute: PageEscapingTests.cpu, modelDigest: "d", codeVersion: "c"))
        }
        let results = SiteResults(config: config, outcomes: outcomes,
                                  environment: BuildEnvironment(belmVersion: "t", swiftVersion: "6", operatingSystem: "x", compute: PageEscapingTests.cpu, command: "belm build"))
        let templates = try TemplateSet(builtIn: PageEscapingTests.templates, overrides: "/nonexistent", pagesDirectory: "/nonexistent",
                                        needed: SiteRenderer.neededTemplates(for: config))
        let files = try SiteRenderer(results: results, templates: templates).render().files
        for suffix in [".pdf", ".svg", ".png", "-wide.pdf"] { #expect(files["figures/sampling-fid\(suffix)"] != nil, "figures/sampling-fid\(suffix)") }
        let page = String(decoding: try #require(files["sampling.html"]), as: UTF8.self)
        #expect(page.contains("src=\"figures/sampling-fid.svg\""))
        #expect(page.contains("Steps on a logarithmic axis, FID on a linear one"))
        let kit = String(decoding: try #require(files["paper-kit.html"]), as: UTF8.self)
        #expect(kit.contains("{figures/sampling-fid.pdf}"))
    }
}
