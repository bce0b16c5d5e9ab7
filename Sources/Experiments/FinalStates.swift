import Compute
import Tensors

/// One sampler at one step count, with what it produced.
public struct SamplerRun {
    public var sampler: String
    public var steps: Int
    /// What the figures and the pixel metrics take: a pixel model's final states, or a latent model's decoded
    /// images clamped to [-1, 1]. [count, C, H, W].
    public var samples: HostTensor
    /// A latent model's final latents and their decoded images before clamping, at full precision (what
    /// `--save-tensors` writes); nil for pixel models, whose `samples` are the final states themselves.
    public var latent: LatentStates? = nil
}

/// A latent model's final states and their decoding.
public struct LatentStates {
    /// The final latents [count, C, h, w], as the samplers left them.
    public var states: HostTensor
    /// The VAE's decoding of `states` [count, C, H, W], not clamped.
    public var images: HostTensor
}

/// Gathers one sampler run's final states batch by batch, refusing the first value that is not finite (a
/// diverged sampler, or NaN that came in with the inputs) with the experiment, sampler and step count, so
/// that no NaN reaches an image, a record or a file.
struct FinalStates {
    let model: ExperimentModel
    let experiment: String
    let sampler: String
    let steps: Int
    private var states: [Float] = []
    private var images: [Float] = []
    private var imageShape: [Int] = []

    init(model: ExperimentModel, experiment: String, sampler: String, steps: Int) {
        self.model = model
        self.experiment = experiment
        self.sampler = sampler
        self.steps = steps
    }

    /// One batch's final states [B, C, H, W] (decoded here for latent models).
    mutating func append(_ x: Tensor) throws {
        let final = x.host()
        try check(final.scalars, "final states")
        states += final.scalars
        guard model.isLatent else { imageShape = Array(final.shape.dropFirst()); return }
        let decoded = try model.decodeUnclamped(x)
        try check(decoded.scalars, "decoded images")
        images += decoded.scalars
        imageShape = Array(decoded.shape.dropFirst())
    }

    /// The final states gathered so far, all batches [N, C, H, W].
    var stateTensor: HostTensor { HostTensor(shape: [states.count / model.sampleShape.reduce(1, *)] + model.sampleShape, scalars: states) }

    /// The run: its images, and for a latent model its latents and unclamped images.
    func run() -> SamplerRun {
        let stateTensor = stateTensor
        guard model.isLatent else { return SamplerRun(sampler: sampler, steps: steps, samples: stateTensor) }
        let decoded = HostTensor(shape: [stateTensor.shape[0]] + imageShape, scalars: images)
        return SamplerRun(sampler: sampler, steps: steps, samples: ExperimentModel.clamped(decoded),
                          latent: LatentStates(states: stateTensor, images: decoded))
    }

    private func check(_ values: [Float], _ what: String) throws {
        try FiniteResults.check(values, what, experiment: experiment, sampler: sampler, steps: steps)
    }
}

/// The check every experiment makes on what its samplers produced and on its metrics.
enum FiniteResults {
    static func check(_ values: [Float], _ what: String, experiment: String, sampler: String, steps: Int) throws {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        throw ExperimentError("\(experiment): \(sampler) at \(steps) steps produced \(values[index]) in its \(what); the run diverged, so nothing is written (try other sampler settings or more steps, and check the inputs)")
    }

    static func check(_ records: [MetricRecord]) throws {
        for record in records where !record.value.isFinite {
            throw ExperimentError("\(record.experiment): \(record.sampler) at \(record.steps) steps gave \(record.metric) = \(record.value); the run diverged, so nothing is written")
        }
    }
}
