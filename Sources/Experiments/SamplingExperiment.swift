import Compute
import Diffusion
import Tensors

/// Sampling grids: the same initial noise through every sampler and step count, so the images line up.
/// Class-conditional when `classes` is given (one per sample, cycled), with classifier-free guidance when
/// `guidance` is given; prompt-conditioned (Stable Diffusion) when `prompts` is given, with guidance from the
/// empty prompt or `negativePrompt`. Latent models' samples are decoded to images.
public struct SamplingExperiment {
    public var settings: RunSettings
    public var classes: [Int]
    public var guidance: Double?
    /// Initial noise [count, C, H, W] in place of the seed's (`--noise`).
    public var noise: HostTensor?
    /// Prompts, cycled over the samples.
    public var prompts: [String] = []
    public var negativePrompt: String?
    /// The global index of the first sample: sample k of this run draws noise `firstIndex + k` of the seed and
    /// takes the class or prompt of that index, so a work item reproduces its part of a larger run exactly.
    public var firstIndex = 0

    public init(settings: RunSettings, classes: [Int] = [], guidance: Double? = nil, noise: HostTensor? = nil) {
        self.settings = settings
        self.classes = classes
        self.guidance = guidance
        self.noise = noise
    }

    public init(settings: RunSettings, prompts: [String], negativePrompt: String? = nil, guidance: Double?, noise: HostTensor? = nil) {
        self.init(settings: settings, guidance: guidance, noise: noise)
        self.prompts = prompts
        self.negativePrompt = negativePrompt
    }

    public func initialNoise(_ model: ExperimentModel) throws -> HostTensor {
        try initialNoise(sampleShape: model.sampleShape, modelName: model.name)
    }

    public func initialNoise(sampleShape: [Int], modelName: String) throws -> HostTensor {
        if let noise {
            try SettingLimits.checkNoise(noise)
            guard noise.shape == [settings.count] + sampleShape else {
                throw ExperimentError("the noise tensor has shape \(noise.shape); \(modelName) needs [\(settings.count), \(sampleShape.map(String.init).joined(separator: ", "))] (--count samples)")
            }
            return noise
        }
        return SeededNoise.batch(seed: settings.seed, indices: firstIndex..<(firstIndex + settings.count), shape: sampleShape)
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> (runs: [SamplerRun], records: [MetricRecord]) {
        try settings.validate()
        try SettingLimits.checkGuidance(guidance)
        for label in classes where !model.classNames.indices.contains(label) {
            throw ExperimentError("class \(label) is outside \(model.name)'s \(model.classNames.count) classes")
        }
        let noise = try initialNoise(model)
        // Each batch's conditioning and guided model once (prompts are encoded here, not per sampler).
        let batches = Batches.ranges(count: settings.count, size: settings.batchSize)
        let conditionings = try batches.map { try conditioning(model, $0) }
        let models = try batches.map { try guidedModel(model, batch: $0.count) }
        var runs: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                var final = FinalStates(model: model, experiment: "sampling", sampler: name, steps: n), evaluations = 0
                for (b, range) in batches.enumerated() {
                    let x = backend.tensor(slice(noise, range))
                    let counter = CountingNoisePredictor(models[b])
                    let state = try sampler.sample(from: .noise(x), grid: grid, model: counter, conditioning: conditionings[b],
                                                   progress: settings.stepProgress(sampler: name, steps: n, items: range, phase: .sampling))
                    try final.append(state.x)
                    evaluations += counter.evaluations
                }
                runs.append(final.run())
                records.append(MetricRecord(experiment: "sampling", model: model.name, sampler: name, steps: n, metric: "nfe",
                                            value: Double(evaluations) / Double(batches.count), count: settings.count))
            }
        }
        try FiniteResults.check(records)
        return (runs, records)
    }

    func guidedModel(_ model: ExperimentModel, batch: Int) throws -> any NoisePredictor {
        guard classes.isEmpty && prompts.isEmpty else {
            return try model.guidedPredictor(scale: guidance, batch: batch, negativePrompt: negativePrompt)
        }
        return model.predictor
    }

    func conditioning(_ model: ExperimentModel, _ range: Range<Int>) throws -> Conditioning {
        let global = (firstIndex + range.lowerBound)..<(firstIndex + range.upperBound)
        if !prompts.isEmpty { return try model.conditioning(global.map { .prompt(prompts[$0 % prompts.count]) }) }
        if !classes.isEmpty { return try model.conditioning(global.map { .label(classes[$0 % classes.count]) }) }
        return try model.conditioning(range.map { _ in .unconditional })
    }
}

/// Rows `range` of a batch tensor.
func slice(_ tensor: HostTensor, _ range: Range<Int>) -> HostTensor {
    let size = tensor.count / tensor.shape[0]
    return HostTensor(shape: [range.count] + tensor.shape.dropFirst(), scalars: Array(tensor.scalars[(range.lowerBound * size)..<(range.upperBound * size)]))
}
