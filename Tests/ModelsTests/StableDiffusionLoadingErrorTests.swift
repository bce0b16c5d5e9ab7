import Compute
import Foundation
import Testing
import Tensors
@testable import Models

/// Stable Diffusion folders with parts missing or configs belm does not implement.
@Suite struct StableDiffusionLoadingErrorTests {
    let backend = CPUBackend()

    func damagedPipeline(_ damage: (URL) throws -> Void) throws -> (URL, URL) {
        let scratch = try FixtureFiles.temporaryFolder()
        let folder = try FixtureFiles.copy("sd/sd15", to: scratch)
        try damage(folder)
        return (scratch, folder)
    }

    func editUNetConfig(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("unet/config.json")
        var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&fields)
        try JSONSerialization.data(withJSONObject: fields).write(to: url)
    }

    @Test func missingComponentFolder() throws {
        let (scratch, folder) = try damagedPipeline { try FileManager.default.removeItem(at: $0.appendingPathComponent("vae")) }
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            _ = try AutoencoderKL(folder: DiffusersFolder(folder), backend: backend)
            Issue.record("a pipeline without vae/ loaded a VAE")
        } catch {
            #expect("\(error)".contains("vae/config.json"))
        }
    }

    /// (field, value as JSON)
    @Test(arguments: [("only_cross_attention", "true"), ("addition_embed_type", "\"text\""), ("cross_attention_dim", "[8, 8]"),
                      ("down_block_types", #"["SimpleCrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]"#)])
    func unsupportedUNetSettings(field: String, json: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let (scratch, folder) = try damagedPipeline { try editUNetConfig($0) { $0[field] = value } }
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            _ = try DiffusersUNet(folder: DiffusersFolder(folder), backend: backend)
            Issue.record("\(field) = \(value) was accepted")
        } catch {
            #expect("\(error)".contains("unet/config.json"))
            #expect("\(error)".contains(field))
        }
    }

    @Test func vaeWithPickleWeightsOnly() throws {
        let (scratch, folder) = try damagedPipeline { folder in
            let vae = folder.appendingPathComponent("vae")
            try FileManager.default.removeItem(at: vae.appendingPathComponent("diffusion_pytorch_model.safetensors"))
            try Data([0x80, 0x02]).write(to: vae.appendingPathComponent("diffusion_pytorch_model.bin"))
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        #expect(throws: TensorFileError.self) { try AutoencoderKL(folder: DiffusersFolder(folder), backend: backend) }
    }
}
