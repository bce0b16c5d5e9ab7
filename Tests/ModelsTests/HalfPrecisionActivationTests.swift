import Compute
import Diffusion
import Foundation
import Tensors
import Testing
@testable import Models

/// What `--precision fp16` stores in fp16: a UNet's activations from its entry to its exit (the output it hands
/// the samplers is fp32), attention scores in fp32 where the config says `upcast_attention`, the text encoder's
/// activations; the VAE keeps fp32 whatever precision its weights take.
@Suite struct HalfPrecisionActivationTests {
    static func runUNet(_ folder: String, case name: String, on backend: any Backend) throws -> Tensor {
        let model = try DiffusersUNet(folder: DiffusersFolder(FixtureFiles.url("sd/\(folder)")), backend: backend, precision: .fp16)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/\(name).inputs.safetensors"))
        return try model.forward(backend.tensor(try inputs.floatTensor("sample")),
                                 timesteps: try inputs.floatTensor("timestep").scalars.map(Double.init),
                                 conditioning: .text(backend.tensor(try inputs.floatTensor("encoder_hidden_states"))))
    }

    @Test func theUNetStoresItsActivationsInFP16AndHandsBackFP32() throws {
        let backend = PrecisionRecordingBackend()
        let output = try Self.runUNet("sd15", case: "sd15-unet", on: backend)
        #expect(output.precision == .fp32)
        for op in ["conv2d", "groupNorm", "layerNorm", "linear", "batchedMatmul", "softmax", "geglu", "add"] {
            #expect(backend.precisions(of: op) == [.fp16], "\(op): \(backend.precisions(of: op))")
        }
    }

    /// SD 2.x sets upcast_attention: the scores and their softmax are fp32, the rest fp16.
    @Test func upcastAttentionKeepsTheScoresInFP32() throws {
        let backend = PrecisionRecordingBackend()
        _ = try Self.runUNet("sd2unet", case: "sd2-unet", on: backend)
        #expect(backend.precisions(of: "softmax") == [.fp32])
        #expect(backend.precisions(of: "batchedMatmul") == [.fp16, .fp32], "scores fp32, probabilities · v fp16")
        #expect(backend.precisions(of: "conv2d") == [.fp16])
    }

    @Test func theTextEncoderStoresItsActivationsInFP16() throws {
        let backend = PrecisionRecordingBackend()
        let model = try CLIPTextModel.load(modelFolder: Fixture.clip, backend: backend, precision: .fp16)
        let outputs = try model.outputs(inputIDs: HostIntTensor(shape: [1, 5], scalars: [0, 320, 125, 539, 2]))
        #expect([outputs.lastHiddenState, outputs.penultimateHiddenState, outputs.pooled].allSatisfy { $0.precision == .fp32 })
        #expect(backend.precisions(of: "linear") == [.fp16] && backend.precisions(of: "softmax") == [.fp16])
    }

    @Test func theVAEStaysFP32WithHalfWeights() throws {
        let backend = PrecisionRecordingBackend()
        let vae = try AutoencoderKL(folder: DiffusersFolder(FixtureFiles.url("sd/sd15")), backend: backend, precision: .fp16)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("sd/vae-decoder.inputs.safetensors"))
        _ = try vae.decode(backend.tensor(try inputs.floatTensor("latent")))
        for op in ["conv2d", "groupNorm", "linear", "softmax"] {
            #expect(backend.precisions(of: op) == [.fp32], "\(op): \(backend.precisions(of: op))")
        }
    }
}
