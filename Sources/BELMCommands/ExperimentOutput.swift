import ArgumentParser
import Experiments
import Foundation
import Models
import Tensors

/// What a command writes: PNG figures and metrics.json under `--out`, and the `--save-tensors` file. Files
/// are gathered in memory and written by `commit()` all together: each under a temporary name beside its
/// place, then, once every one is written, each renamed into place. A failure on the way removes what was
/// written, so a run leaves all its files or none (never figures without the tensors they came with).
struct ExperimentOutput {
    /// The `--out` folder; nil when the command writes no folder (`reconstruct --json` without `--out`).
    let folder: URL?
    private var files: [(url: URL, data: Data)] = []

    init(_ path: String?) { folder = path.map { URL(fileURLWithPath: $0) } }

    /// A grid of the batch's images, `columns` wide, enlarged 2× when they are small (≤ 128 pixels) so 32×32
    /// images stay visible; a diffusers model's 256² or 512² images are written at their size.
    mutating func addGrid(_ images: HostTensor, columns: Int, name: String) throws {
        guard let folder else { return }
        let grid = ImageGrid.compose(PlanarImage.batch(images), columns: max(1, min(columns, images.shape[0])))
        let small = images.shape.count == 4 && max(images.shape[2], images.shape[3]) <= 128
        files.append((folder.appendingPathComponent(name), try PNGCodec.encode(small ? ImageGrid.upscaled(grid, by: 2) : grid)))
    }

    mutating func addMetrics(_ records: [MetricRecord]) {
        guard let folder else { return }
        files.append((folder.appendingPathComponent("metrics.json"), Data(MetricsJSON.encode(records).utf8)))
    }

    /// `--save-tensors`, written with the rest.
    mutating func addTensors(_ runs: [SamplerRun], to path: String) {
        files.append((URL(fileURLWithPath: path), SafetensorsWriter.encode(floats: TensorExport.tensors(runs))))
    }

    /// Writes every file gathered, all or none.
    func commit() throws {
        var madeFolders: [URL] = [], written: [(temporary: URL, url: URL)] = []
        func undo() {
            for file in written { try? FileManager.default.removeItem(at: file.temporary) }
            for made in madeFolders.reversed() { try? FileManager.default.removeItem(at: made) }
        }
        do {
            for (url, data) in files {
                madeFolders += try Self.makeFolder(url.deletingLastPathComponent())
                let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
                do {
                    try data.write(to: temporary)
                } catch {
                    throw TensorFileError(url, "cannot be written (\(error.localizedDescription)); check that the output folder is writable")
                }
                written.append((temporary, url))
            }
            for file in written where rename(file.temporary.path, file.url.path) != 0 {
                throw TensorFileError(file.url, "cannot be moved into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            undo()
            throw error
        }
    }

    /// Makes `folder` and any missing parents; returns those it made, outermost first.
    private static func makeFolder(_ folder: URL) throws -> [URL] {
        var missing: [URL] = [], walk = folder
        while !FileManager.default.fileExists(atPath: walk.path) && walk.path != "/" {
            missing.insert(walk, at: 0)
            walk.deleteLastPathComponent()
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw TensorFileError(folder, "cannot create this folder (\(error.localizedDescription)); check that the output location is writable")
        }
        return missing
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

/// `--save-tensors`: the final states at full precision. A single run's as tensor `sample`, several runs' as
/// `<sampler>_<steps>`. For a latent model (Stable Diffusion) these are the final latents, and the decoded
/// images, unclamped, go beside them as `image` (`<sampler>_<steps>_image`).
enum TensorExport {
    static func tensors(_ runs: [SamplerRun]) -> [String: HostTensor] {
        var tensors: [String: HostTensor] = [:]
        for run in runs {
            let name = runs.count == 1 ? "sample" : "\(run.sampler)_\(run.steps)"
            if let latent = run.latent {
                tensors[name] = latent.states
                tensors[runs.count == 1 ? "image" : "\(name)_image"] = latent.images
            } else {
                tensors[name] = run.samples
            }
        }
        return tensors
    }

    /// `--noise FILE`: tensor `sample`.
    static func readNoise(_ path: String) throws -> HostTensor {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("--noise \(path) is a directory; expected a .safetensors file with tensor \"sample\"")
        }
        let file = try SafetensorsFile(contentsOf: URL(fileURLWithPath: path))
        guard file.entries["sample"] != nil else {
            throw ExperimentError("\(path): has no tensor \"sample\" (it holds \(file.names.joined(separator: ", "))); store the initial noise as \"sample\"")
        }
        return try file.floatTensor("sample")
    }
}
