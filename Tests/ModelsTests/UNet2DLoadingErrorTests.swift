import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models

/// Damaged or unsupported checkpoints: each must fail with a message naming the file and what is wrong.
@Suite struct UNet2DLoadingErrorTests {
    let backend = CPUBackend()

    /// Copies the cifar10 fixture, lets `damage` change it, loads it and returns the error message.
    func loadError(_ damage: (URL) throws -> Void) throws -> String {
        let scratch = try FixtureFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = try FixtureFiles.copy("unet2d/cifar10", to: scratch)
        try damage(folder)
        do {
            _ = try UNetCheckpoint(folder: DiffusersFolder(folder), backend: backend)
        } catch {
            return "\(error)"
        }
        Issue.record("the damaged checkpoint loaded")
        return ""
    }

    func editConfig(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&fields)
        try JSONSerialization.data(withJSONObject: fields).write(to: url)
    }

    func rewriteWeights(_ folder: URL, _ edit: (inout [String: HostTensor]) -> Void) throws {
        let url = folder.appendingPathComponent("diffusion_pytorch_model.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        var tensors: [String: HostTensor] = [:]
        for name in file.names { tensors[name] = try file.floatTensor(name) }
        edit(&tensors)
        try SafetensorsWriter.write(floats: tensors, to: url)
    }

    @Test func truncatedWeights() throws {
        let message = try loadError { folder in
            let url = folder.appendingPathComponent("diffusion_pytorch_model.safetensors")
            let data = try Data(contentsOf: url)
            try data.prefix(data.count / 2).write(to: url)
        }
        #expect(message.contains("diffusion_pytorch_model.safetensors"))
        #expect(message.contains("truncated"))
    }

    @Test func unknownBlockType() throws {
        let message = try loadError { folder in
            try editConfig(folder) { $0["down_block_types"] = ["DownBlock2D", "SkipDownBlock2D", "DownBlock2D", "DownBlock2D"] }
        }
        #expect(message.contains("config.json"))
        #expect(message.contains("down_block_types"))
        #expect(message.contains("SkipDownBlock2D"))
    }

    @Test func unsupportedFieldValue() throws {
        let message = try loadError { folder in try editConfig(folder) { $0["resnet_time_scale_shift"] = "spatial" } }
        #expect(message.contains("config.json"))
        #expect(message.contains("resnet_time_scale_shift"))
        #expect(message.contains("\"scale_shift\""))
    }

    @Test func unknownField() throws {
        let message = try loadError { folder in try editConfig(folder) { $0["time_cond_proj_dim"] = 16 } }
        #expect(message.contains("time_cond_proj_dim"))
    }

    @Test func missingTensor() throws {
        let message = try loadError { folder in
            try rewriteWeights(folder) { $0["down_blocks.1.attentions.0.to_v.weight"] = nil }
        }
        #expect(message.contains("down_blocks.1.attentions.0.to_v.weight"))
    }

    @Test func shapeMismatch() throws {
        let message = try loadError { folder in try editConfig(folder) { $0["block_out_channels"] = [8, 16, 16, 16] } }
        #expect(message.contains("has shape"))
        #expect(message.contains("needs"))
    }

    @Test func extraTensors() throws {
        let message = try loadError { folder in
            try rewriteWeights(folder) { $0["down_blocks.0.resnets.2.conv1.bias"] = HostTensor(shape: [8], scalars: .init(repeating: 0, count: 8)) }
        }
        #expect(message.contains("down_blocks.0.resnets.2.conv1.bias"))
    }

    @Test func pytorchPickleOnly() throws {
        let message = try loadError { folder in
            try FileManager.default.removeItem(at: folder.appendingPathComponent("diffusion_pytorch_model.safetensors"))
            try Data([0x80, 0x02]).write(to: folder.appendingPathComponent("diffusion_pytorch_model.bin"))
        }
        #expect(message.contains("diffusion_pytorch_model.bin"))
        #expect(message.contains("save_file"))
    }

    @Test func notAFolder() throws {
        #expect(throws: TensorFileError.self) { try DiffusersFolder(FixtureFiles.url("unet2d/cifar10.inputs.safetensors")) }
    }

    @Test func unsupportedPredictionType() throws {
        let message = try loadError { folder in
            let url = folder.appendingPathComponent("scheduler_config.json")
            var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
            fields["prediction_type"] = "flow"
            try JSONSerialization.data(withJSONObject: fields).write(to: url)
        }
        #expect(message.contains("scheduler_config.json"))
        #expect(message.contains("prediction_type"))
    }

    /// Checkpoints saved before diffusers 0.14 name the attention projections query/key/value/proj_attn.
    @Test func legacyAttentionNamesGiveTheSameOutput() throws {
        let scratch = try FixtureFiles.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = try FixtureFiles.copy("unet2d/cifar10", to: scratch)
        try rewriteWeights(folder) { tensors in
            for (name, tensor) in tensors where name.contains(".attentions.") {
                let legacy = name.replacingOccurrences(of: ".to_q.", with: ".query.")
                    .replacingOccurrences(of: ".to_k.", with: ".key.")
                    .replacingOccurrences(of: ".to_v.", with: ".value.")
                    .replacingOccurrences(of: ".to_out.0.", with: ".proj_attn.")
                tensors[name] = nil
                tensors[legacy] = tensor
            }
        }
        #expect(try SafetensorsFile(contentsOf: folder.appendingPathComponent("diffusion_pytorch_model.safetensors")).entries["mid_block.attentions.0.query.weight"] != nil)
        let x = backend.tensor((0..<(2 * 3 * 16 * 16)).map { Float(cos(Double($0))) }, shape: [2, 3, 16, 16])
        let legacy = try UNet2DModel(folder: DiffusersFolder(folder), backend: backend)
        let current = try UNet2DModel(folder: DiffusersFolder(FixtureFiles.url("unet2d/cifar10")), backend: backend)
        #expect(try legacy.forward(x, timesteps: [3, 700], conditioning: .unconditional).values()
                == current.forward(x, timesteps: [3, 700], conditioning: .unconditional).values())
    }

    @Test func badForwardInputs() throws {
        let unconditional = try UNet2DModel(folder: DiffusersFolder(FixtureFiles.url("unet2d/cifar10")), backend: backend)
        let classes = try UNet2DModel(folder: DiffusersFolder(FixtureFiles.url("unet2d/classcond")), backend: backend)
        let x = backend.zeros([2, 3, 16, 16])
        #expect(throws: ModelInputError.self) { try unconditional.forward(backend.zeros([2, 4, 16, 16]), timesteps: [1], conditioning: .unconditional) }
        #expect(throws: ModelInputError.self) { try unconditional.forward(backend.zeros([2, 3, 12, 12]), timesteps: [1], conditioning: .unconditional) }
        #expect(throws: ModelInputError.self) { try unconditional.forward(x, timesteps: [1, 2, 3], conditioning: .unconditional) }
        #expect(throws: ModelInputError.self) { try unconditional.forward(x, timesteps: [1], conditioning: .classes([0, 1])) }
        #expect(throws: ModelInputError.self) { try classes.forward(x, timesteps: [1], conditioning: .unconditional) }
        #expect(throws: ModelInputError.self) { try classes.forward(x, timesteps: [1], conditioning: .classes([0, 10])) }
        #expect(throws: ModelInputError.self) { try classes.forward(x, timesteps: [1], conditioning: .classes([0])) }
    }

    /// The CPU backend binds any size, so a forward pass is also held to this machine's memory: a largest
    /// buffer past it is refused with both sizes, rather than aborting in malloc.
    @Test func largestBufferPastHostMemoryIsRefused() throws {
        let unet = try UNet2DModel(folder: DiffusersFolder(FixtureFiles.url("unet2d/cifar10")), backend: backend)
        let bytes = unet.largestBufferBytes(batch: 2, height: 16, width: 16)
        try DiffusersUNet.checkLargestBuffer(bytes, batch: 2, height: 16, width: 16, backend: backend, hostMemory: bytes)
        #expect { try DiffusersUNet.checkLargestBuffer(bytes, batch: 2, height: 16, width: 16, backend: backend, hostMemory: bytes - 1) } throws: {
            "\($0)".contains("this machine has") && "\($0)".contains("a batch of 2 at 16×16")
        }
        // The machine's own memory is what forward holds a pass to.
        #expect(BufferSize.hostMemoryBytes > 1 << 28)
    }
}
