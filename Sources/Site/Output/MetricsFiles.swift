import Experiments
import Foundation

/// metrics.json and metrics.csv: the same records, in canonical order, one per line, with numbers written
/// in their shortest exact form so the files are byte-stable and diff well.
enum MetricsFiles {
    static let columns = ["experiment", "model", "sampler", "steps", "metric", "value", "count"]

    static func json(_ records: [MetricRecord]) -> String {
        if records.isEmpty { return "[]\n" }
        let lines = records.map { r in
            "  {\"experiment\": \(quoted(r.experiment)), \"model\": \(quoted(r.model)), \"sampler\": \(quoted(r.sampler)), \"steps\": \(r.steps), \"metric\": \(quoted(r.metric)), \"value\": \(number(r.value)), \"count\": \(r.count)}"
        }
        return "[\n" + lines.joined(separator: ",\n") + "\n]\n"
    }

    static func csv(_ records: [MetricRecord]) -> String {
        var text = columns.joined(separator: ",") + "\n"
        for r in records {
            text += [csvField(r.experiment), csvField(r.model), csvField(r.sampler), String(r.steps), csvField(r.metric),
                     r.value.isFinite ? "\(r.value)" : "", String(r.count)].joined(separator: ",") + "\n"
        }
        return text
    }

    /// Swift prints a Double in the shortest form that reads back exactly; non-finite values become null.
    static func number(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

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
