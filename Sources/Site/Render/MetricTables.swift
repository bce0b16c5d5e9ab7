import Experiments
import Foundation

/// HTML tables of metric records. Every table is sortable in the browser (cells carry their raw value in
/// `data-value`) and marks the best sampler with `class="best"` and a ★ that survives printing.
enum MetricTables {
    /// The order metrics are listed in; others follow alphabetically.
    static let metricOrder = ["fid", "mse", "mse_pixel", "psnr", "ssim", "target_rate", "ode_error", "nfe", "seconds"]
    /// Metrics that describe cost rather than quality: shown on pages, left out of the headline.
    static let costMetrics: Set<String> = ["nfe", "seconds"]

    static func sortedMetrics(_ names: Set<String>) -> [String] {
        names.sorted { a, b in
            let ia = metricOrder.firstIndex(of: a) ?? metricOrder.count, ib = metricOrder.firstIndex(of: b) ?? metricOrder.count
            return ia != ib ? ia < ib : a < b
        }
    }

    static func metricTitle(_ metric: String) -> String {
        switch metric {
        case "fid": "FID"
        case "mse": "MSE"
        case "mse_pixel": "MSE (pixels)"
        case "psnr": "PSNR (dB)"
        case "ssim": "SSIM"
        case "ode_error": "ODE error"
        case "nfe": "NFE"
        case "seconds": "seconds"
        case "target_rate": "edits reaching the target class"
        default: metric
        }
    }

    static func samplerTitle(_ name: String) -> String { SamplerSettings.displayName(recordName: name) ?? name }

    /// One table per metric: step counts as rows, samplers as columns, the best of each row marked.
    static func perMetric(_ records: [MetricRecord]) -> String {
        var html = ""
        for metric in sortedMetrics(Set(records.map(\.metric))) {
            let rows = records.filter { $0.metric == metric }
            let samplers = orderedSamplers(rows)
            let steps = Set(rows.map(\.steps)).sorted()
            let lower = MetricRecord.lowerIsBetter(metric)
            html += "<div class=\"table-scroll\"><table class=\"metrics sortable\" data-metric=\"\(HTMLText.escape(metric))\">\n"
            html += "<caption>\(HTMLText.escape(metricTitle(metric)))\(lower ? " (lower is better)" : " (higher is better)")</caption>\n"
            html += "<thead><tr><th data-sort=\"number\">steps</th>"
            for sampler in samplers { html += "<th data-sort=\"number\">\(HTMLText.escape(samplerTitle(sampler)))</th>" }
            html += "</tr></thead>\n<tbody>\n"
            for step in steps {
                let values = samplers.map { sampler in rows.first { $0.sampler == sampler && $0.steps == step }?.value }
                let best = bestIndex(values, lowerIsBetter: lower)
                html += "<tr><th scope=\"row\" data-value=\"\(step)\">\(step)</th>"
                for (index, value) in values.enumerated() {
                    html += cell(value, best: index == best && !costMetrics.contains(metric))
                }
                html += "</tr>\n"
            }
            html += "</tbody></table></div>\n"
        }
        return html
    }

    /// A headline column: one experiment's metric at one step count (or a measured order).
    struct HeadlineColumn {
        var title: String
        /// Where the title links to (the experiment's page); nil for no link.
        var href: String?
        var lowerIsBetter: Bool
        var values: [String: Double]
    }

    /// Samplers as rows, one column per experiment and metric, the best of each column marked.
    static func headline(_ columns: [HeadlineColumn], samplers: [String]) -> String {
        var html = "<div class=\"table-scroll\"><table class=\"metrics headline sortable\">\n<thead><tr><th data-sort=\"text\">sampler</th>"
        for column in columns {
            let title = HTMLText.escape(column.title)
            html += "<th data-sort=\"number\">" + (column.href.map { "<a href=\"\(HTMLText.escape($0))\">\(title)</a>" } ?? title) + "</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        let bests = columns.map { column in bestIndex(samplers.map { column.values[$0] }, lowerIsBetter: column.lowerIsBetter) }
        for (row, sampler) in samplers.enumerated() {
            html += "<tr><th scope=\"row\">\(HTMLText.escape(samplerTitle(sampler)))</th>"
            for (index, column) in columns.enumerated() {
                html += cell(column.values[sampler], best: bests[index] == row)
            }
            html += "</tr>\n"
        }
        html += "</tbody></table></div>\n"
        return html
    }

    static func orderedSamplers(_ records: [MetricRecord]) -> [String] {
        Set(records.map(\.sampler)).sorted { a, b in
            switch (SamplerChoice(rawValue: a), SamplerChoice(rawValue: b)) {
            case let (x?, y?): x < y
            case (.some, nil): true
            case (nil, .some): false
            case (nil, nil): a < b
            }
        }
    }

    private static func cell(_ value: Double?, best: Bool) -> String {
        guard let value else { return "<td data-value=\"\">–</td>" }
        let text = HTMLText.number(value)
        return best ? "<td class=\"best\" data-value=\"\(value)\"><strong>\(text)</strong> ★</td>"
                    : "<td data-value=\"\(value)\">\(text)</td>"
    }

    /// The index of the best value; nil when there is no clear best (fewer than two values, or a tie).
    static func bestIndex(_ values: [Double?], lowerIsBetter: Bool) -> Int? {
        let present = values.enumerated().compactMap { index, value in value.flatMap { $0.isNaN ? nil : (index, $0) } }
        guard present.count >= 2 else { return nil }
        let best = present.min { lowerIsBetter ? $0.1 < $1.1 : $0.1 > $1.1 }!
        return present.filter({ $0.1 == best.1 }).count == 1 ? best.0 : nil
    }
}
