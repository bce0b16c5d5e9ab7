import Compute
import Foundation
import Tensors

extension CLIPTextModel {
    /// Loads from a diffusers pipeline folder (its `text_encoder/` subfolder) or a text encoder folder itself.
    public static func load(modelFolder: URL, backend: any Backend, precision: Precision = .standard) throws -> CLIPTextModel {
        let nested = modelFolder.appendingPathComponent("text_encoder")
        if FileManager.default.fileExists(atPath: nested.appendingPathComponent("config.json").path) {
            return try load(folder: nested, backend: backend, precision: precision)
        }
        if FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent("config.json").path) {
            return try load(folder: modelFolder, backend: backend, precision: precision)
        }
        throw TensorFileError(modelFolder, "holds neither text_encoder/config.json nor config.json; pass a diffusers Stable Diffusion folder or its text_encoder/ folder")
    }

    /// Reads config.json and model.safetensors from a text encoder folder and uploads the weights (the linear
    /// layers' at `precision`, which the activations are stored in too).
    public static func load(folder: URL, backend: any Backend, precision: Precision = .standard) throws -> CLIPTextModel {
        let config = try CLIPTextConfig(contentsOf: folder.appendingPathComponent("config.json"))
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw TensorFileError(weightsURL, "is missing; belm reads a text encoder's weights from model.safetensors (convert .bin checkpoints with save_pretrained)")
        }
        let file = try SafetensorsFile(contentsOf: weightsURL)
        let weights = try CLIPTextWeights(file: file, config: config, backend: backend, precision: precision)
        return CLIPTextModel(config: config, backend: backend, weights: weights, precision: precision)
    }
}
