import Experiments
import Foundation
import Models

/// The error-against-steps plots of an experiment (one per error metric with at least two step counts),
/// written as SVG and PNG under figures/ and inlined as SVG in the page.
enum ErrorPlots {
    static let errorMetrics = ["mse", "mse_pixel", "ode_error"]

    static func color(_ sampler: String) -> String {
        switch SamplerChoice(rawValue: sampler) {
        case .ddim: "#d62728"
        case .edict: "#e08a00"
        case .bdia: "#2a9d3a"
        case .belm: "#1f5fbf"
        case nil: "#777777"
        }
    }

    /// The measured order through the points with a positive error; nil with fewer than two step counts.
    static func order(_ points: [(steps: Int, error: Double)]) -> Double? {
        let usable = points.filter { $0.error > 0 && $0.error.isFinite }
        guard Set(usable.map(\.steps)).count >= 2 else { return nil }
        return ConvergenceOrder.fit(usable.map { (Double($0.steps), $0.error) })
    }

    static func points(_ records: [MetricRecord], metric: String, sampler: String) -> [(steps: Int, error: Double)] {
        records.filter { $0.metric == metric && $0.sampler == sampler }.sorted { $0.steps < $1.steps }.map { ($0.steps, $0.value) }
    }

    /// Adds the files and returns the inline SVGs with links to the files.
    static func render(_ records: [MetricRecord], experiment: String, showOrders: Bool, into files: inout SiteFiles) throws -> String {
        var html = ""
        for metric in errorMetrics {
            let rows = records.filter { $0.metric == metric && $0.value > 0 }
            guard Set(rows.map(\.steps)).count >= 2 else { continue }
            let series = MetricTables.orderedSamplers(rows).map { sampler -> LogLogPlot.Series in
                let pts = points(rows, metric: metric, sampler: sampler)
                var label = MetricTables.samplerTitle(sampler)
                if showOrders, let order = order(pts) { label += String(format: " (order %.2f)", order) }
                return LogLogPlot.Series(label: label, color: color(sampler), points: pts.map { (Double($0.steps), $0.error) })
            }
            let plot = LogLogPlot(title: "\(MetricTables.metricTitle(metric)) against steps", xLabel: "steps", yLabel: MetricTables.metricTitle(metric), series: series)
            let stem = "figures/\(experiment)-\(metric)"
            let svg = plot.svg()
            files.add(stem + ".svg", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg)
            files.add(stem + ".png", try PNGCodec.encode(PlotRaster.render(plot).planar))
            html += "<figure class=\"plot-figure\">\n\(svg)<figcaption>Log–log axes. Download: <a href=\"\(stem).svg\">SVG</a> · <a href=\"\(stem).png\">PNG</a></figcaption>\n</figure>\n"
        }
        return html
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
