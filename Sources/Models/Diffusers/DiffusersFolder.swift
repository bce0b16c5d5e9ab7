import Foundation
import Tensors

/// A diffusers model folder in either layout: a pipeline (`model_index.json` with one sub-folder per component,
/// `unet/`, `vae/`, `scheduler/`, …) or a single model (`config.json` and its weights, sometimes with a
/// `scheduler_config.json` beside them, as the google/ddpm-* repositories ship).
public struct DiffusersFolder: Sendable {
    public let url: URL

    public init(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TensorFileError(url, "is not a folder; --model takes a diffusers folder (model_index.json with component folders, or config.json with diffusion_pytorch_model.safetensors)")
        }
        self.url = url
    }

    public var isPipeline: Bool { exists(url.appendingPathComponent("model_index.json")) }

    /// The folder holding a component's `config.json` and weights: `<folder>/<component>/` in a pipeline,
    /// the folder itself for a single model.
    public func componentFolder(_ component: String) throws -> URL {
        let sub = url.appendingPathComponent(component)
        if exists(sub.appendingPathComponent("config.json")) { return sub }
        if exists(url.appendingPathComponent("config.json")) { return url }
        if isPipeline {
            throw TensorFileError(sub, "is missing: the pipeline has no \(component)/config.json; check that the folder was downloaded completely")
        }
        throw TensorFileError(url, "holds neither model_index.json with a \(component)/ folder nor config.json; it is not a diffusers model folder")
    }

    /// The scheduler's settings, from `scheduler/scheduler_config.json` or a `scheduler_config.json` beside the
    /// model; nil when the folder has neither.
    public func schedulerConfig() throws -> DiffusersConfig? {
        for candidate in [url.appendingPathComponent("scheduler/scheduler_config.json"),
                          url.appendingPathComponent("scheduler_config.json")] where exists(candidate) {
            return try DiffusersConfig(contentsOf: candidate)
        }
        return nil
    }

    /// The safetensors weights of a component folder. PyTorch pickles (`.bin`) are refused: loading them runs
    /// arbitrary code, and belm reads safetensors only; the message gives the one-line conversion.
    public static func weightsFile(in folder: URL, names: [String] = ["diffusion_pytorch_model.safetensors", "model.safetensors"]) throws -> URL {
        for name in names where FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) {
            return folder.appendingPathComponent(name)
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        if contents.contains(where: { $0.hasSuffix(".safetensors.index.json") }) {
            throw TensorFileError(folder, "holds sharded safetensors weights, which belm does not read; save the model again with save_pretrained(..., max_shard_size=\"100GB\") to get one file")
        }
        if let bin = contents.sorted().first(where: { $0.hasSuffix(".bin") }) {
            let source = folder.appendingPathComponent(bin).path
            let target = folder.appendingPathComponent(names[0]).path
            throw TensorFileError(folder, "has PyTorch weights (\(bin)) but no \(names[0]); belm reads safetensors only. Convert once with:\n  python3 -c \"import torch; from safetensors.torch import save_file; save_file({k: v.contiguous() for k, v in torch.load('\(source)', map_location='cpu').items()}, '\(target)')\"")
        }
        throw TensorFileError(folder, "has no weights file (\(names.joined(separator: " or "))); check that the folder was downloaded completely")
    }

    private func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }
}
