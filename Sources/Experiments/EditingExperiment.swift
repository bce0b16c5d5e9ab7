import Compute
import Diffusion
import Models
import Tensors

/// Editing: invert images under the source condition (a class, a prompt) to the freeze step (state index; 0
/// inverts all the way), then regenerate from there under the target condition with classifier-free guidance
/// (from the unconditional branch, or a negative prompt). Records how much of the source survives (MSE, SSIM
/// between source and edit, on pixels) and, for a model with its own labelled image set, how often the
/// edit's nearest image in the set belongs to the target class (`target_rate`).
public struct EditingExperiment {
    public var settings: RunSettings
    public var source: ExperimentCondition
    public var target: ExperimentCondition
    public var freezeStep: Int
    public var guidance: Double
    /// Images [N, C, H, W] to edit in place of the source class's images of the model's set (`--image`).
    public var images: HostTensor?
    public var negativePrompt: String?
    /// Regenerate from x alone (the samplers' start-up step), dropping the companion state the inversion
    /// stored. The stored pair carries the source trajectory: O-BELM and BDIA started from it under another
    /// class keep much of the source (their parasitic mode is barely damped), which a restart avoids at the
    /// price of exactness when source and target agree.
    public var restart: Bool

    public init(settings: RunSettings, sourceClass: Int, targetClass: Int, freezeStep: Int, guidance: Double, restart: Bool = false) {
        self.init(settings: settings, source: .label(sourceClass), target: .label(targetClass), freezeStep: freezeStep, guidance: guidance,
                  restart: restart)
    }

    public init(settings: RunSettings, source: ExperimentCondition, target: ExperimentCondition, freezeStep: Int, guidance: Double,
                images: HostTensor? = nil, negativePrompt: String? = nil, restart: Bool = false) {
        self.restart = restart
        self.settings = settings
        self.source = source
        self.target = target
        self.freezeStep = freezeStep
        self.guidance = guidance
        self.images = images
        self.negativePrompt = negativePrompt
    }

    public var sourceClass: Int? { if case .label(let l) = source { l } else { nil } }
    public var targetClass: Int? { if case .label(let l) = target { l } else { nil } }

    public struct Output {
        public var sources: HostTensor
        public var edits: [SamplerRun]
        public var records: [MetricRecord]
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        var settings = settings
        if let images { settings.count = images.shape[0] }
        try settings.validate(inverting: true)
        try SettingLimits.checkGuidance(guidance)
        try SettingLimits.checkFreezeStep(freezeStep, steps: settings.steps)
        for label in [sourceClass, targetClass].compactMap({ $0 }) where !model.classNames.indices.contains(label) {
            throw ExperimentError("class \(label) is outside \(model.name)'s \(model.classNames.count) classes")
        }
        let sources: HostTensor
        if let images {
            sources = images
        } else {
            guard let sourceClass else { throw ExperimentError("give the images to edit with --image FILE… or a folder") }
            sources = try model.evenlySpacedImages(count: settings.count, ofClass: sourceClass).images
        }
        let batches = Batches.ranges(count: settings.count, size: settings.batchSize)
        let starts = try batches.map { try model.encode(slice(sources, $0), backend: backend) }
        let sourceConditionings = try batches.map { try model.conditioning(Array(repeating: source, count: $0.count)) }
        let targetConditionings = try batches.map { try model.conditioning(Array(repeating: target, count: $0.count)) }
        let guided = try batches.map { try model.guidedPredictor(scale: guidance, batch: $0.count, negativePrompt: negativePrompt) }
        var edits: [SamplerRun] = [], records: [MetricRecord] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                var final = FinalStates(model: model, experiment: "editing", sampler: name, steps: n)
                for (b, range) in batches.enumerated() {
                    var inverted = try sampler.invert(.data(starts[b], grid: grid), grid: grid, stoppingAt: freezeStep, model: model.predictor,
                                                      conditioning: sourceConditionings[b],
                                                      progress: settings.stepProgress(sampler: name, steps: n, items: range, phase: .inversion))
                    if restart { inverted.companions = [] }
                    let edited = try sampler.sample(from: inverted, grid: grid, model: guided[b],
                                                    conditioning: targetConditionings[b],
                                                    progress: settings.stepProgress(sampler: name, steps: n, items: range, phase: .edit))
                    try final.append(edited.x)
                }
                let run = final.run(), result = run.samples
                edits.append(run)
                let images = PlanarImage.batch(result)
                let scores = ImageScores.compare(PlanarImage.batch(sources), images)
                var metrics = [("mse", scores.mse), ("ssim", scores.ssim)]
                if let set = model.imageSet, let targetClass, set.imageShape == model.imageShape {
                    let hits = images.filter { set.labels[NearestNeighbour.search($0, in: set).index] == targetClass }.count
                    metrics.append(("target_rate", Double(hits) / Double(images.count)))
                }
                for (metric, value) in metrics {
                    records.append(MetricRecord(experiment: "editing", model: model.name, sampler: name, steps: n,
                                                metric: metric, value: value, count: settings.count))
                }
            }
        }
        try FiniteResults.check(records)
        return Output(sources: sources, edits: edits, records: records)
    }
}
