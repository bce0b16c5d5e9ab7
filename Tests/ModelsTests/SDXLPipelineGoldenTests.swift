import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models
import VulkanCompute

/// The tiny SDXL folder end to end against diffusers' StableDiffusionXLPipeline (Fixtures/generate_sdxl.py): DDIM
/// (DDIMScheduler.from_config of the folder's EulerDiscreteScheduler config), eta 0, 4 steps from fixed latents,
/// without guidance, with guidance from force_zeros_for_empty_prompt's zeros, with a negative prompt, and with guidance
/// and micro-conditioning away from the image's size (original_size, crops_coords_top_left, target_size); the final
/// latents and their decoding through the SDXL VAE (scaling_factor 0.13025), on the CPU and on Vulkan.
@Suite struct SDXLPipelineGoldenTests {
    static let folder = FixtureFiles.url("sdxl/pipeline")

    struct Case: Decodable {
        let prompt: String
        let negative_prompt: String?
        let guidance_scale: Double
        /// diffusers' micro-conditioning arguments, (height, width) and (top, left); absent: the image's own.
        let original_size: [Int]?
        let crops_coords_top_left: [Int]?
        let target_size: [Int]?

        var microConditioning: MicroConditioningSettings {
            MicroConditioningSettings(originalSize: original_size.map { PixelSize(height: $0[0], width: $0[1]) },
                                      cropTopLeft: crops_coords_top_left.map { PixelOffset(top: $0[0], left: $0[1]) },
                                      targetSize: target_size.map { PixelSize(height: $0[0], width: $0[1]) })
        }
    }

    struct Cases: Decodable {
        let steps: Int
        let image_size: Int
        let cases: [String: Case]
    }

    @Test(arguments: ["cpu", "vulkan"])
    func matchesDiffusersStableDiffusionXLPipeline(_ backendName: String) throws {
        let backend: any Backend = backendName == "vulkan" ? try VulkanBackend(validation: true) : CPUBackend()
        let pipeline = try DiffusersPipeline(folder: Self.folder, backend: backend)
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: FixtureFiles.url("sdxl/pipeline.json")))
        let encoder = try #require(pipeline.promptEncoder as? SDXLPromptEncoder)
        let vae = try #require(pipeline.autoencoder)
        #expect(pipeline.imageSize == cases.image_size && encoder.forceZerosForEmptyPrompt)
        #expect(encoder.microConditioning.timeIDs == [16, 16, 0, 0, 16, 16])
        #expect(vae.scalingFactor == 0.13025 && vae.configuration.forceUpcast)

        let golden = try SafetensorsFile(contentsOf: FixtureFiles.url("sdxl/pipeline.safetensors"))
        let grid = try TimeGrid(schedule: pipeline.schedule, steps: cases.steps, convention: .diffusers)
        let predictor = try pipeline.checkpoint.noisePredictor(schedule: pipeline.schedule)
        #expect(cases.cases.count == 4 && cases.cases.values.contains { !$0.microConditioning.isDefault })
        for (name, run) in cases.cases.sorted(by: { $0.key < $1.key }) {
            // A case with micro-conditioning gets its own text side: the time ids are fixed when the pipeline loads.
            let encoder = run.microConditioning.isDefault ? encoder
                : try #require(try DiffusersPipeline(folder: Self.folder, backend: backend, microConditioning: run.microConditioning).promptEncoder as? SDXLPromptEncoder)
            let conditioning = try encoder.conditioning([run.prompt]).conditioning
            let model: any NoisePredictor = run.guidance_scale == 1 ? predictor
                : GuidedNoisePredictor(model: predictor, scale: run.guidance_scale,
                                       unconditional: try encoder.conditioning([run.negative_prompt]).conditioning)
            let start = SamplerState.noise(backend.tensor(try golden.floatTensor("latents")))
            let latents = try DDIMSampler().sample(from: start, grid: grid, model: model, conditioning: conditioning).x
            let expected = try golden.floatTensor("\(name).latents")
            #expect(latents.shape == expected.shape)
            #expect(relativeMaxError(latents.values(), expected.scalars) < 1e-3, "\(name) latents on \(backendName)")
            let image = try vae.decode(backend.scaled(latents, by: 1 / vae.scalingFactor))
            #expect(relativeMaxError(image.values(), try golden.floatTensor("\(name).image").scalars) < 1e-3, "\(name) image on \(backendName)")
        }
        if let vulkan = backend as? VulkanBackend {
            vulkan.synchronize()
            #expect(vulkan.validationMessages.isEmpty)
        }
    }
}
