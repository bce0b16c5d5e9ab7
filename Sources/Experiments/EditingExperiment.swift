import Compute
import Diffusion
import Models
import Tensors

/// Editing: invert images of a source class under that class to the freeze step (state index; 0 inverts
/// all the way), then regenerate from there under the target class with classifier-free guidance.
/// Records how much of the source survives (MSE, SSIM between source and edit) and how often the edit's
/// nearest image in the set belongs to the target class (`target_rate`).
public struct EditingExperiment {
    public var settings: RunSettings
    public var sourceClass: Int
    public var targetClass: Int
    public var freezeStep: Int
    public var guidance: Double
    /// Regenerate from x alone (the samplers' start-up step), dropping the companion state the inversion
    /// stored. The stored pair carries the source trajectory: O-BELM and BDIA started from it under another
    /// class keep much of the source (their parasitic mode is barely damped), which a restart avoids at the
    /// price of exactness when source and target agree.
    public var restart: Bool

    public init(settings: RunSettings, sourceClass: Int, targetClass: Int, freezeStep: Int, guidance: Double, restart: Bool = false) {
        self.restart = restart
        self.settings = settings
        self.sourceClass = sourceClass
        self.targetClass = targetClass
        self.freezeStep = freezeStep
        self.guidance = guidance
    }

    public struct Output {
        public var sources: HostTensor
        public var edits: [SamplerRun]
        public var records: [MetricRecord]
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        try settings.validate()
        for n in settings.steps where freezeStep < 0 || freezeStep >= n {
            throw ExperimentError("--freeze-step \(freezeStep) must lie in 0…\(n - 1), below the number of steps (\(n))")
        }
        for label in [sourceClass, targetClass] where !model.classNames.indices.contains(label) {
            throw ExperimentError("class \(label) is outside \(model.name)'s \(model.classNames.count) classes")
        }
        let sources = try model.evenlySpacedImages(count: settings.count, ofClass: sourceClass).images
        let guided = GuidedNoisePredictor(model: model.predictor, scale: guidance, unconditional: .unconditional)
        var edits: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                var out: [Float] = []
                for range in Batches.ranges(count: settings.count, size: settings.batchSize) {
                    let x0 = backend.tensor(slice(sources, range))
                    let label = "\(name) \(n) steps, images \(range.lowerBound)–\(range.upperBound - 1)"
                    var inverted = try sampler.invert(.data(x0, grid: grid), grid: grid, stoppingAt: freezeStep, model: model.predictor,
                                                      conditioning: .classes(range.map { _ in sourceClass }),
                                                      progress: settings.stepProgress("\(label), inversion"))
                    if restart { inverted.companions = [] }
                    let edited = try sampler.sample(from: inverted, grid: grid, model: guided,
                                                    conditioning: .classes(range.map { _ in targetClass }),
                                                    progress: settings.stepProgress("\(label), edit"))
                    out += edited.x.values()
                }
                let result = HostTensor(shape: sources.shape, scalars: out)
                edits.append(SamplerRun(sampler: name, steps: n, samples: result))
                let images = PlanarImage.batch(result)
                let scores = ImageScores.compare(PlanarImage.batch(sources), images)
                let hits = images.filter { model.images.labels[NearestNeighbour.search($0, in: model.images).index] == targetClass }.count
                for (metric, value) in [("mse", scores.mse), ("ssim", scores.ssim), ("target_rate", Double(hits) / Double(images.count))] {
                    records.append(MetricRecord(experiment: "editing", model: model.name, sampler: name, steps: n,
                                                metric: metric, value: value, count: settings.count))
                }
            }
        }
        return Output(sources: sources, edits: edits, records: records)
    }
}
