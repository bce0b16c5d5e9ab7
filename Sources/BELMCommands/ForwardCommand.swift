import ArgumentParser
import Compute
import Diffusion
import Foundation
import Models
import Tensors

/// `belm forward`: one forward pass of one model component, tensors in and out as safetensors, for parity
/// checks against diffusers. Tensor names follow the diffusers forward arguments.
public struct ForwardCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run one forward pass of a model component on tensors from a safetensors file.",
        discussion: """
        unet: sample [B,C,H,W] f32, timestep (int64 or f32, shape [] or [B]), optional class_labels [B] int64
              or encoder_hidden_states [B,77,D] f32 (SDXL: with text_embeds [B,P] and time_ids [B,6] f32) → sample.
        vae-encoder: sample (image in [-1,1]) → latent_mean (posterior mean, unscaled).
        vae-decoder: latent (unscaled) → sample.
        text-encoder: input_ids [B,77] int64 → last_hidden_state.
        """
    )

    public enum Component: String, ExpressibleByArgument, CaseIterable, Sendable {
        case unet
        case vaeEncoder = "vae-encoder"
        case vaeDecoder = "vae-decoder"
        case textEncoder = "text-encoder"
    }

    @Option(help: "A diffusers folder: a pipeline (model_index.json) or a single model (config.json + safetensors).")
    public var model: String

    @Option(help: "Which part of the model to run: \(Component.allCases.map(\.rawValue).joined(separator: "|")).")
    public var component: Component = .unet

    @Option(help: "The input tensors (.safetensors).")
    public var input: String

    @Option(help: "Where to write the output tensors (.safetensors).")
    public var output: String

    @Option(parsing: .unconditional, help: "vae-encoder/vae-decoder: tiles of this many latent pixels a side (a multiple of 4), as diffusers' enable_tiling() with tile_latent_min_size set so. Default: whole images unless the backend's buffer limit needs tiles.")
    public var vaeTile: Int?

    @OptionGroup public var backendOptions: BackendOptions

    public init() {}

    public func validate() throws {
        if let vaeTile, vaeTile < 4 || vaeTile % 4 != 0 {
            throw ValidationError("--vae-tile is \(vaeTile); VAE tiles are a multiple of 4 latent pixels (they overlap by a quarter)")
        }
    }

    public func run() throws {
        let backend = try backendOptions.makeBackend()
        let folder = try DiffusersFolder(URL(fileURLWithPath: model))
        let inputURL = URL(fileURLWithPath: input)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("--input \(input) is a directory; expected a .safetensors file")
        }
        let inputs = try SafetensorsFile(contentsOf: inputURL)
        let result: [String: HostTensor]
        do {
            switch component {
            case .unet: result = try runUNet(folder: folder, inputs: inputs, backend: backend)
            case .vaeEncoder:
                let vae = try AutoencoderKL(folder: folder, backend: backend, precision: backendOptions.precision)
                vae.tileLatentSize = vaeTile
                vae.reportSplitPlansOnStandardError()
                result = ["latent_mean": try vae.encodeMean(backend.tensor(try Self.finiteTensor("sample", in: inputs))).host()]
            case .vaeDecoder:
                let vae = try AutoencoderKL(folder: folder, backend: backend, precision: backendOptions.precision)
                vae.tileLatentSize = vaeTile
                vae.reportSplitPlansOnStandardError()
                result = ["sample": try vae.decode(backend.tensor(try Self.finiteTensor("latent", in: inputs))).host()]
            case .textEncoder:
                let encoder = try CLIPTextModel.load(modelFolder: folder.url, backend: backend, precision: backendOptions.precision)
                let ids = try inputs.intTensor("input_ids")
                do {
                    result = ["last_hidden_state": try encoder.encode(inputIDs: ids).host()]
                } catch let error as CLIPTextModel.InputError {
                    throw TensorFileError(inputURL, error.description)
                }
            }
        } catch let error as ModelInputError {
            throw TensorFileError(inputURL, "tensor '\(error.input)' \(error.problem)")
        }
        let outputURL = URL(fileURLWithPath: output)
        for (name, tensor) in result.sorted(by: { $0.key < $1.key }) {
            if let bad = tensor.scalars.first(where: { !$0.isFinite }) {
                throw TensorFileError(outputURL, "not written: the output '\(name)' holds \(bad), so the forward pass overflowed on these inputs")
            }
        }
        try SafetensorsWriter.write(floats: result, to: outputURL)
    }

    /// A float input that holds only finite numbers: a NaN or ∞ in a sample or a timestep spreads through the
    /// whole forward pass.
    static func finiteTensor(_ name: String, in inputs: SafetensorsFile) throws -> HostTensor {
        let tensor = try inputs.floatTensor(name)
        if let index = tensor.scalars.firstIndex(where: { !$0.isFinite }) {
            throw ModelInputError(name, "holds \(tensor.scalars[index]) at index \(index); inputs must be finite numbers")
        }
        return tensor
    }

    func runUNet(folder: DiffusersFolder, inputs: SafetensorsFile, backend: any Backend) throws -> [String: HostTensor] {
        let checkpoint = try UNetCheckpoint(folder: folder, backend: backend, precision: backendOptions.precision)
        let sample = try Self.finiteTensor("sample", in: inputs)
        let timestep = try Self.finiteTensor("timestep", in: inputs)
        guard timestep.shape.count <= 1 else {
            throw ModelInputError("timestep", "has shape \(timestep.shape); it must be a scalar [] or one per sample [B]")
        }
        var conditioning = Conditioning.unconditional
        if inputs.entries["class_labels"] != nil {
            let labels = try inputs.intTensor("class_labels")
            guard labels.shape.count == 1 else {
                throw ModelInputError("class_labels", "has shape \(labels.shape); it must be [B]")
            }
            conditioning = .classes(labels.scalars.map { Int($0) })
        }
        if inputs.entries["encoder_hidden_states"] != nil {
            if case .classes = conditioning {
                throw ModelInputError("encoder_hidden_states", "is given together with class_labels; belm's UNets take one or the other")
            }
            let states = try Self.finiteTensor("encoder_hidden_states", in: inputs)
            guard states.shape.count == 3 else {
                throw ModelInputError("encoder_hidden_states", "has shape \(states.shape); it must be [B, tokens, D]")
            }
            conditioning = .text(backend.tensor(states))
        }
        // SDXL's added conditions, under diffusers' added_cond_kwargs names.
        if inputs.entries["text_embeds"] != nil || inputs.entries["time_ids"] != nil {
            guard case .text(let states) = conditioning else {
                throw ModelInputError("text_embeds", "and time_ids go with encoder_hidden_states (SDXL), which the inputs lack")
            }
            let pooled = try Self.finiteTensor("text_embeds", in: inputs), timeIDs = try Self.finiteTensor("time_ids", in: inputs)
            guard pooled.shape.count == 2, timeIDs.shape.count == 2 else {
                throw ModelInputError(pooled.shape.count == 2 ? "time_ids" : "text_embeds", "must be [B, width]; got text_embeds \(pooled.shape), time_ids \(timeIDs.shape)")
            }
            conditioning = .textAndAdded(states: states, pooled: backend.tensor(pooled), timeIDs: timeIDs.scalars.map(Double.init))
        }
        guard sample.shape.count == 4 else {
            throw ModelInputError("sample", "has shape \(sample.shape); it must be [B, C, H, W]")
        }
        let output = try checkpoint.model.forward(backend.tensor(sample), timesteps: timestep.scalars.map(Double.init),
                                                  conditioning: conditioning)
        return ["sample": output.host()]
    }
}
