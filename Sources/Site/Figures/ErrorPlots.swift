import Experiments
import Foundation
import Models

/// The against-steps plots of an experiment (one per error metric with at least two step counts, log–log;
/// and FID on a linear axis, one line per sampler, the shape of the paper's Table 3), written as PDF, SVG and
/// PNG under figures/ and shown as SVG in the page.
enum ErrorPlots {
    static let errorMetrics = ["mse", "mse_pixel", "ode_error"]
    /// Plotted against steps too, but read as a score: a linear axis and no order of convergence.
    static let scoreMetrics = ["fid"]

    /// The measured order through the points with a positive error; nil with fewer than two step counts.
    static func order(_ points: [(steps: Int, error: Double)]) -> Double? {
        let usable = points.filter { $0.error > 0 && $0.error.isFinite }
        guard Set(usable.map(\.steps)).count >= 2 else { return nil }
        return ConvergenceOrder.fit(usable.map { (Double($0.steps), $0.error) })
    }

    static func points(_ records: [MetricRecord], metric: String, sampler: String) -> [(steps: Int, error: Double)] {
        records.filter { $0.metric == metric && $0.sampler == sampler }.sorted { $0.steps < $1.steps }.map { ($0.steps, $0.value) }
    }

    /// Adds each plot's PDF (one column, and `-wide` across two), SVG and PNG (and the plot to the kit) and returns the HTML that shows the SVG with links to all three.
    static func render(_ records: [MetricRecord], experiment: String, experimentTitle: String, showOrders: Bool,
                       into files: inout SiteFiles, kit: inout PaperKit) throws -> String {
        var html = ""
        for plot in plots(records, showOrders: showOrders) {
            let stem = "figures/\(experiment)-\(plot.metric)"
            let drawn = try plot.plot.render()
            files.add(stem + ".pdf", drawn.pdf)
            files.add(stem + ".svg", drawn.svg)
            files.add(stem + ".png", drawn.png)
            // The same plot across a two-column paper's whole text width, for a figure* environment.
            var wide = plot.plot
            wide.size = .twoColumn
            files.add(stem + "-wide.pdf", try wide.pdf())
            kit.figures.append(.init(stem: stem, title: plot.plot.title, experimentTitle: experimentTitle, preview: stem + ".svg",
                                     width: plot.plot.size.width, wideStem: stem + "-wide"))
            let title = HTMLText.escape(plot.plot.title)
            let (width, height) = (Int((plot.plot.size.width * 96 / 72).rounded()), Int((plot.plot.size.height * 96 / 72).rounded()))
            let axes = plot.plot.yScale == .logarithmic ? "log–log axes" : "steps on a logarithmic axis, \(HTMLText.escape(plot.plot.yLabel)) on a linear one"
            html += "<figure class=\"plot-figure\">\n<img class=\"plot\" src=\"\(stem).svg\" width=\"\(width)\" height=\"\(height)\" alt=\"\(title), \(axes)\">\n"
            html += "<figcaption><strong>\(title).</strong> \(axes.prefix(1).uppercased() + axes.dropFirst()). Download: <a href=\"\(stem).pdf\">PDF</a> (<a href=\"\(stem)-wide.pdf\">two-column width</a>) · <a href=\"\(stem).svg\">SVG</a> · <a href=\"\(stem).png\">PNG</a></figcaption>\n</figure>\n"
        }
        return html
    }

    /// One plot per error metric and score with at least two step counts; with `showOrders`, each error
    /// plot's legend entry carries the sampler's measured order.
    static func plots(_ records: [MetricRecord], showOrders: Bool) -> [(metric: String, plot: LogLogPlot)] {
        (errorMetrics + scoreMetrics).compactMap { metric in
            let isScore = scoreMetrics.contains(metric)
            let rows = records.filter { $0.metric == metric && (isScore ? $0.value.isFinite : $0.value > 0) }
            guard Set(rows.map(\.steps)).count >= 2 else { return nil }
            let series = MetricTables.orderedSamplers(rows).map { sampler -> LogLogPlot.Series in
                let pts = points(rows, metric: metric, sampler: sampler)
                var label = MetricTables.samplerTitle(sampler)
                if showOrders && !isScore, let order = order(pts) { label += String(format: " (order %.2f)", order) }
                return LogLogPlot.Series(label: label, style: SamplerStyle.of(sampler), points: pts.map { (Double($0.steps), $0.error) })
            }
            let title = "\(MetricTables.metricTitle(metric)) against steps"
            return (metric, LogLogPlot(title: title, xLabel: "steps", yLabel: MetricTables.metricTitle(metric), series: series,
                                       yScale: isScore ? .linear : .logarithmic))
        }
    }

    /// Measured orders per sampler for each error metric with at least two step counts.
    static func ordersTable(_ records: [MetricRecord]) -> String {
        let metrics = errorMetrics.filter { metric in Set(records.filter { $0.metric == metric }.map(\.steps)).count >= 2 }
        guard !metrics.isEmpty else { return "" }
        let samplers = MetricTables.orderedSamplers(records.filter { metrics.contains($0.metric) })
        let columns = metrics.map { metric in
            MetricTables.HeadlineColumn(
                title: "order of \(MetricTables.metricTitle(metric))", href: nil, lowerIsBetter: false,
                values: Dictionary(uniqueKeysWithValues: samplers.compactMap { s in order(points(records, metric: metric, sampler: s)).map { (s, $0) } }))
        }
        return MetricTables.headline(columns, samplers: samplers)
    }
}
