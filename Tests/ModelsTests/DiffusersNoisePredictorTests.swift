import Compute
import Diffusion
import Foundation
import Testing
import Tensors
@testable import Models

@Suite struct DiffusersNoisePredictorTests {
    let backend = CPUBackend()

    /// The class-conditional fixture is a v-prediction pipeline: the predictor must hand samplers the noise
    /// diffusers' DDIM step derives from it.
    @Test func vPredictionBecomesNoise() throws {
        let checkpoint = try UNetCheckpoint(folder: DiffusersFolder(FixtureFiles.url("unet2d/classcond")), backend: backend)
        #expect(checkpoint.predictionType == .vPrediction)
        #expect(try checkpoint.schedulerConfig?.string("beta_schedule") == "linear")
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("unet2d/classcond.expected.safetensors"))
        let alphas = try expected.floatTensor("alphas_cumprod").scalars.map(Double.init)
        #expect(alphas.count == 1000)
        let inputs = try SafetensorsFile(contentsOf: FixtureFiles.url("unet2d/classcond.inputs.safetensors"))
        let x = backend.tensor(try inputs.floatTensor("sample"))
        let labels = try inputs.intTensor("class_labels").scalars.map { Int($0) }
        let predictor = try checkpoint.noisePredictor(alphasCumprod: alphas)
        let noise = predictor.predictNoise(x, timestep: 500, conditioning: .classes(labels))
        #expect(relativeMaxError(noise.values(), try expected.floatTensor("epsilon_t500").scalars) < 1e-4)
    }

    /// The folder's own scheduler config gives the schedule diffusers trained with.
    @Test func scheduleFromTheSchedulerConfig() throws {
        let checkpoint = try UNetCheckpoint(folder: DiffusersFolder(FixtureFiles.url("unet2d/classcond")), backend: backend)
        let schedule = try #require(try checkpoint.noiseSchedule())
        let expected = try SafetensorsFile(contentsOf: FixtureFiles.url("unet2d/classcond.expected.safetensors"))
        let alphas = try expected.floatTensor("alphas_cumprod").scalars
        #expect(schedule.alphasCumprod.count == alphas.count)
        #expect(zip(schedule.alphasCumprod, alphas).allSatisfy { abs($0 - Double($1)) < 1e-6 })
        _ = try checkpoint.noisePredictor(schedule: schedule)
    }

    @Test func nonEpsilonModelsNeedTheSchedule() throws {
        let checkpoint = try UNetCheckpoint(folder: DiffusersFolder(FixtureFiles.url("unet2d/classcond")), backend: backend)
        #expect(throws: ModelInputError.self) { try checkpoint.noisePredictor(alphasCumprod: nil) }
    }

    @Test func epsilonModelsPassTheOutputThrough() throws {
        let checkpoint = try UNetCheckpoint(folder: DiffusersFolder(FixtureFiles.url("unet2d/cifar10")), backend: backend)
        #expect(checkpoint.predictionType == .epsilon)
        let x = backend.tensor((0..<(3 * 16 * 16)).map { Float(sin(Double($0))) }, shape: [1, 3, 16, 16])
        let noise = try checkpoint.noisePredictor(alphasCumprod: nil).predictNoise(x, timestep: 10, conditioning: .unconditional)
        let raw = try checkpoint.model.forward(x, timesteps: [10], conditioning: .unconditional)
        #expect(noise.values() == raw.values())
    }

    @Test func samplePredictionCoefficientsInvertTheForwardProcess() {
        // x = √ᾱ·x₀ + √(1−ᾱ)·ε with x₀ = 0.3, ε = −1.2 at ᾱ = 0.64: the x₀ prediction 0.3 must give back ε.
        let (a, b) = PredictionType.sample.noiseCoefficients(alphaBar: 0.64)
        let x = 0.8 * 0.3 + 0.6 * -1.2
        #expect(abs(a * 0.3 + b * x - -1.2) < 1e-12)
        let (va, vb) = PredictionType.vPrediction.noiseCoefficients(alphaBar: 0.64)
        let v = 0.8 * -1.2 - 0.6 * 0.3
        #expect(abs(va * v + vb * x - -1.2) < 1e-12)
    }
}
