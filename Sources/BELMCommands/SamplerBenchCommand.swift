import ArgumentParser
import Compute
import Diffusion
import Experiments
import Foundation
import Models

/// `belm sampler-bench`: the model's ε throughput and each sampler's own arithmetic per step,
/// side by side, so one can see that the sampler never dominates a step.
public struct SamplerBenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sampler-bench",
        abstract: "Time the model's ε evaluations and the samplers' own work per step.",
        discussion: """
        The sampler's own time is measured with a model that returns a stored tensor (no work), so it is the \
        cost of the linear combinations alone; the ratio column compares it with one ε evaluation of the \
        same batch (ε* of the reference model, or a diffusers UNet's call on its unconditional branch).
        """)

    @Option(help: "The model: builtin:shapes or gmm:DIR (the reference model), builtin:shapes-unet, or a diffusers folder.")
    public var model = "builtin:shapes"

    @Option(parsing: .upToNextOption, help: "Batch sizes to time.")
    public var batchSizes: [Int] = [1, 8, 32]

    @Option(parsing: .unconditional, help: "Steps of each timed sampler run.")
    public var steps = 50

    @OptionGroup public var backendOptions: BackendOptions

    public init() {}

    public func validate() throws {
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch-sizes must be positive") }
        guard steps >= 2 else { throw ValidationError("--steps must be at least 2, got \(steps)") }
    }

    public func run() throws {
        let backend = try backendOptions.makeBackend()
        let loaded = try ExperimentModel.load(model, precision: backendOptions.precision, backend: backend)
        let grid = try TimeGrid(schedule: loaded.schedule, steps: steps)
        let samplers: [any Sampler] = [DDIMSampler(), try EDICTSampler(), try BDIASampler(gamma: 1), OBELMSampler()]
        // The model's unconditional branch (no conditioning, the null class, or the empty prompt), refused
        // here, before the table starts, when the model cannot say it.
        let conditionings = try batchSizes.map { try loaded.conditioning(Array(repeating: .unconditional, count: $0)) }
        let shape = loaded.sampleShape.map(String.init).joined(separator: "×")
        switch loaded.kind {
        case .reference(let mixture): print("backend \(backend.name), model \(model.escapingControlCharacters) (\(mixture.images.count) components of \(shape))")
        case .diffusers: print("backend \(backend.name), model \(model.escapingControlCharacters) (diffusers UNet on samples of \(shape))")
        }
        print("batch  eps/s (samples)  ms/eps call  sampler  ms/step (own)  own/eps")
        for (batch, conditioning) in zip(batchSizes, conditionings) {
            let x = backend.tensor(SeededNoise.batch(seed: 0, indices: 0..<batch, shape: loaded.sampleShape))
            _ = loaded.predictor.predictNoise(x, timestep: 500, conditioning: conditioning).values()
            let calls = 5
            let start = DispatchTime.now()
            for i in 0..<calls { _ = loaded.predictor.predictNoise(x, timestep: 100 + 100 * i, conditioning: conditioning).values() }
            let perCall = seconds(since: start) / Double(calls)
            let fixed = StoredNoise(loaded.predictor.predictNoise(x, timestep: 500, conditioning: conditioning))
            for sampler in samplers {
                let begin = DispatchTime.now()
                _ = try sampler.sample(from: .noise(x), grid: grid, model: fixed).x.values()
                // EDICT makes two model calls and four combinations per step; this is its whole step.
                let perStep = seconds(since: begin) / Double(steps)
                let name = sampler.name.padding(toLength: 7, withPad: " ", startingAt: 0)
                print(String(format: "%5d  %15.1f  %11.3f  ", batch, Double(batch) / perCall, perCall * 1000) + name
                      + String(format: "  %13.4f  %8.4f", perStep * 1000, perStep / perCall))
            }
        }
    }

    private func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// A model that costs nothing: it hands back one stored tensor, so timing a sampler with it times the
/// sampler's own arithmetic.
private final class StoredNoise: NoisePredictor {
    let noise: Tensor
    init(_ noise: Tensor) { self.noise = noise }
    var backend: any Backend { noise.backend }
    func predictNoise(_ x: Tensor, timestep: Int, conditioning: Conditioning) -> Tensor { noise }
}
