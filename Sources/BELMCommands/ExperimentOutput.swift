import Experiments
import Foundation
import Models
import Tensors

/// Writes what a command produced under `--out`: PNG figures and metrics.json, each through AtomicFile.
struct ExperimentOutput {
    let folder: URL

    init(_ path: String) { folder = URL(fileURLWithPath: path) }

    /// A grid of the batch's images, `columns` wide, enlarged 2× when they are small (≤ 128 pixels) so 32×32
    /// images stay visible; a diffusers model's 256² or 512² images are written at their size.
    func writeGrid(_ images: HostTensor, columns: Int, name: String) throws {
        let grid = ImageGrid.compose(PlanarImage.batch(images), columns: max(1, min(columns, images.shape[0])))
        let small = images.shape.count == 4 && max(images.shape[2], images.shape[3]) <= 128
        try PNGCodec.write(small ? ImageGrid.upscaled(grid, by: 2) : grid, to: folder.appendingPathComponent(name))
    }

    func writeMetrics(_ records: [MetricRecord]) throws {
        try AtomicFile.write(MetricsJSON.encode(records), to: folder.appendingPathComponent("metrics.json"))
    }
}

/// The metrics.json text: records in the canonical order, keys in the contract's order
/// (experiment, model, sampler, steps, metric, value, count), numbers in Swift's shortest round-trip form.
enum MetricsJSON {
    static func encode(_ records: [MetricRecord]) -> String {
        let rows = records.sorted(by: MetricRecord.canonicalOrder).map { r in
            "  {\"experiment\": \(quote(r.experiment)), \"model\": \(quote(r.model)), \"sampler\": \(quote(r.sampler)), "
                + "\"steps\": \(r.steps), \"metric\": \(quote(r.metric)), \"value\": \(number(r.value)), \"count\": \(r.count)}"
        }
        return rows.isEmpty ? "[]\n" : "[\n" + rows.joined(separator: ",\n") + "\n]\n"
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try! encoder.encode(text)
        return String(decoding: data, as: UTF8.self)
    }
}

/// `--save-tensors`: a single run's final states as tensor `sample`; several runs as `<sampler>_<steps>`.
enum TensorExport {
    static func write(_ runs: [SamplerRun], to path: String) throws {
        var tensors: [String: HostTensor] = [:]
        if runs.count == 1 {
            tensors["sample"] = runs[0].samples
        } else {
            for run in runs { tensors["\(run.sampler)_\(run.steps)"] = run.samples }
        }
        try SafetensorsWriter.write(floats: tensors, to: URL(fileURLWithPath: path))
    }

    /// `--noise FILE`: tensor `sample`.
    static func readNoise(_ path: String) throws -> HostTensor {
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        guard file.entries["sample"] != nil else {
            throw ExperimentError("\(path): has no tensor \"sample\" (it holds \(file.names.joined(separator: ", "))); store the initial noise as \"sample\"")
        }
        return try file.floatTensor("sample")
    }
}
