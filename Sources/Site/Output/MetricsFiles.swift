import Experiments
import Foundation

/// metrics.json and metrics.csv: the same records, in canonical order, one per line, with numbers written
/// in their shortest exact form so the files are byte-stable and diff well. Every value is a finite number:
/// a NaN or infinity is refused with the record it belongs to, not written as null or an empty field.
/// metrics.json also says where each record's cell was computed (`provenance`: every distinct device and
/// software its items were computed with); metrics.csv keeps its seven columns.
enum MetricsFiles {
    static let columns = ["experiment", "model", "sampler", "steps", "metric", "value", "count"]

    static func checkFinite(_ records: [MetricRecord]) throws {
        if let bad = records.first(where: { !$0.value.isFinite }) { throw NonFiniteMetric(record: bad) }
    }

    /// `provenance` gives where each record's cell was computed; a record with any gets a `provenance` list.
    static func json(_ records: [MetricRecord], provenance: (MetricRecord) -> [CellProvenance] = { _ in [] }) throws -> String {
        try checkFinite(records)
        if records.isEmpty { return "[]\n" }
        let lines = records.map { r in
            var line = "  {\"experiment\": \(quoted(r.experiment)), \"model\": \(quoted(r.model)), \"sampler\": \(quoted(r.sampler)), \"steps\": \(r.steps), \"metric\": \(quoted(r.metric)), \"value\": \(number(r.value)), \"count\": \(r.count)"
            let sources = provenance(r)
            if !sources.isEmpty { line += ", \"provenance\": [" + sources.map(json).joined(separator: ", ") + "]" }
            return line + "}"
        }
        return "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    /// One provenance as a JSON object; `driver` is null where no driver is involved (the CPU backend).
    static func json(_ p: CellProvenance) -> String {
        "{\"device\": \(quoted(p.compute.device)), \"driver\": \(p.compute.driver.map(quoted) ?? "null"), \"backend\": \(quoted(p.compute.backend)), "
            + "\"precision\": \(quoted(p.compute.precision.rawValue)), \"belm\": \(quoted(p.belmVersion)), \"model_digest\": \(quoted(p.modelDigest))}"
    }

    static func csv(_ records: [MetricRecord]) throws -> String {
        try checkFinite(records)
        var text = columns.joined(separator: ",") + "\n"
        for r in records {
            text += [csvField(r.experiment), csvField(r.model), csvField(r.sampler), String(r.steps), csvField(r.metric),
                     "\(r.value)", String(r.count)].joined(separator: ",") + "\n"
        }
        return text
    }

    /// Swift prints a Double in the shortest form that reads back exactly.
    static func number(_ value: Double) -> String { "\(value)" }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { ",\"\n\r".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// A metric that is not a finite number (a run that diverged, a metric divided by zero), named in full so
/// the experiment can be found and rerun; the build stops before anything is written.
public struct NonFiniteMetric: Error, CustomStringConvertible {
    public let record: MetricRecord

    public var description: String {
        "error: experiment '\(record.experiment)', model \(record.model), sampler \(record.sampler), \(record.steps) steps: "
            + "metric '\(record.metric)' is \(record.value), not a finite number; nothing was written. "
            + "Fewer steps or another sampler setting may keep the run from diverging"
    }
}
