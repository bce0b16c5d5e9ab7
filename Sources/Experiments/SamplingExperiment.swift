import Compute
import Diffusion
import Tensors

/// One sampler at one step count, with what it produced.
public struct SamplerRun {
    public var sampler: String
    public var steps: Int
    /// The final states [count, C, H, W].
    public var samples: HostTensor
}

/// Sampling grids: the same initial noise through every sampler and step count, so the images line up.
/// Class-conditional when `classes` is given (one per sample, cycled), with classifier-free guidance when
/// `guidance` is given.
public struct SamplingExperiment {
    public var settings: RunSettings
    public var classes: [Int]
    public var guidance: Double?
    /// Initial noise [count, C, H, W] in place of the seed's (`--noise`).
    public var noise: HostTensor?

    public init(settings: RunSettings, classes: [Int] = [], guidance: Double? = nil, noise: HostTensor? = nil) {
        self.settings = settings
        self.classes = classes
        self.guidance = guidance
        self.noise = noise
    }

    public func initialNoise(sampleShape: [Int], modelName: String) throws -> HostTensor {
        if let noise {
            guard noise.shape == [settings.count] + sampleShape else {
                throw ExperimentError("the noise tensor has shape \(noise.shape); \(modelName) needs [\(settings.count), \(sampleShape.map(String.init).joined(separator: ", "))] (--count samples)")
            }
            return noise
        }
        return SeededNoise.batch(seed: settings.seed, indices: 0..<settings.count, shape: sampleShape)
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> (runs: [SamplerRun], records: [MetricRecord]) {
        try run(SamplingTarget(name: model.name, predictor: model.predictor, schedule: model.schedule,
                               sampleShape: model.sampleShape, classCount: model.classNames.count), backend: backend)
    }

    /// Sampling needs no image set: any model (the reference model, a diffusers UNet) given as a target.
    public func run(_ model: SamplingTarget, backend: any Backend) throws -> (runs: [SamplerRun], records: [MetricRecord]) {
        try settings.validate()
        for label in classes where label < 0 || label >= model.classCount {
            throw ExperimentError("class \(label) is outside \(model.name)'s \(model.classCount) classes")
        }
        if !model.hasUnconditional {
            if classes.isEmpty { throw ExperimentError("\(model.name) is class-conditional (\(model.classCount) classes) without an unconditional mode; give --classes") }
            if guidance != nil { throw ExperimentError("\(model.name) has no unconditional mode, so classifier-free guidance is undefined; drop --guidance") }
        }
        let noise = try initialNoise(sampleShape: model.sampleShape, modelName: model.name)
        var runs: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                let counter = CountingNoisePredictor(guidedModel(model))
                var out: [Float] = []
                for range in Batches.ranges(count: settings.count, size: settings.batchSize) {
                    let x = backend.tensor(slice(noise, range))
                    let state = try sampler.sample(from: .noise(x), grid: grid, model: counter, conditioning: conditioning(range),
                                                   progress: settings.stepProgress("\(name) \(n) steps, samples \(range.lowerBound)–\(range.upperBound - 1)"))
                    out += state.x.values()
                }
                let batches = Batches.ranges(count: settings.count, size: settings.batchSize).count
                runs.append(SamplerRun(sampler: name, steps: n, samples: HostTensor(shape: noise.shape, scalars: out)))
                records.append(MetricRecord(experiment: "sampling", model: model.name, sampler: name, steps: n, metric: "nfe",
                                            value: Double(counter.evaluations) / Double(batches), count: settings.count))
            }
        }
        return (runs, records)
    }

    func guidedModel(_ model: SamplingTarget) -> any NoisePredictor {
        guard let guidance, !classes.isEmpty else { return model.predictor }
        return GuidedNoisePredictor(model: model.predictor, scale: guidance, unconditional: .unconditional)
    }

    func conditioning(_ range: Range<Int>) -> Conditioning {
        classes.isEmpty ? .unconditional : .classes(range.map { classes[$0 % classes.count] })
    }
}

/// What sampling needs from a model.
public struct SamplingTarget {
    /// The `--model` value.
    public var name: String
    public var predictor: any NoisePredictor
    public var schedule: NoiseSchedule
    /// One sample, [C, H, W].
    public var sampleShape: [Int]
    /// Number of class labels the model takes (0: unconditional only).
    public var classCount: Int
    /// Whether the model predicts without a class (the reference model does; a class-conditional UNet has no
    /// null class, so it can neither sample unconditionally nor be guided).
    public var hasUnconditional: Bool

    public init(name: String, predictor: any NoisePredictor, schedule: NoiseSchedule, sampleShape: [Int], classCount: Int,
                hasUnconditional: Bool = true) {
        self.hasUnconditional = hasUnconditional
        self.name = name
        self.predictor = predictor
        self.schedule = schedule
        self.sampleShape = sampleShape
        self.classCount = classCount
    }
}

/// Rows `range` of a batch tensor.
func slice(_ tensor: HostTensor, _ range: Range<Int>) -> HostTensor {
    let size = tensor.count / tensor.shape[0]
    return HostTensor(shape: [range.count] + tensor.shape.dropFirst(), scalars: Array(tensor.scalars[(range.lowerBound * size)..<(range.upperBound * size)]))
}
