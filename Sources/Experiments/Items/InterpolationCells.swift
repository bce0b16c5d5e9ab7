import Compute
import Models
import Tensors

/// Interpolation items: one strip of one sampler at one step count for one seed. The seed picks the two
/// images by its place in the request's seeds: the first images of two classes taken in turn from the model's
/// set, or consecutive pairs of the `images:` folder.
struct InterpolationCells: CellRunner {
    let request: ExperimentRequest
    let model: ExperimentModel
    let sources: SourceImages
    let batchSize: Int
    let backend: any Backend

    func run(_ cell: CellItem, progress: ((ExperimentStep) -> Void)?) throws -> ItemResult {
        guard let seedIndex = request.seeds.firstIndex(of: cell.seed) else {
            throw ExperimentError("experiment '\(request.name)': \(cell.label) has a seed the experiment does not list")
        }
        let first: Int, second: Int, endpoints: InterpolationExperiment.Endpoints
        switch sources {
        case .set(let set):
            // The first images of two different classes (classes taken in turn with the seed), when the set has two.
            let classCount = max(1, Set(set.labels).count)
            let firstClass = seedIndex % classCount, secondClass = (seedIndex + 1) % classCount
            first = set.indices(ofClass: firstClass).first ?? 0
            second = set.indices(ofClass: secondClass).first { $0 != first } ?? (first + 1) % set.count
            endpoints = .images(first, second)
        case .files(let given):
            // The folder's images in name order, pairs taken in turn with the seed.
            let count = given.shape[0], size = given.shape.dropFirst().reduce(1, *)
            first = (2 * seedIndex) % count
            second = (first + 1) % count
            endpoints = .files(HostTensor(shape: [2] + Array(given.shape.dropFirst()),
                                          scalars: Array(given.scalars[(first * size)..<((first + 1) * size)] + given.scalars[(second * size)..<((second + 1) * size)])))
        case .none:
            throw ExperimentError("experiment '\(request.name)': interpolation has no images to start from")
        }
        let settings = RunSettings(samplers: [cell.sampler], steps: [cell.steps], sampler: request.samplerSettings,
                                   seed: cell.seed, count: request.count, batchSize: batchSize, progress: progress)
        let output = try InterpolationExperiment(settings: settings, endpoints: endpoints, points: request.frames).run(model, backend: backend)
        guard let strip = output.strips.first else {
            throw ExperimentError("experiment '\(request.name)': \(cell.label) produced no strip")
        }
        let ends = PlanarImage.batch(output.endpoints)
        return .measured(MeasuredCell(
            metrics: output.records.map { MeasuredMetric(metric: $0.metric, value: $0.value, count: $0.count) },
            images: .strip(InterpolationStrip(first: first, second: second,
                                              endpoints: [LabeledImage(label: "image \(first)", image: RGBImage(ends[0])),
                                                          LabeledImage(label: "image \(second)", image: RGBImage(ends[1]))],
                                              frames: PlanarImage.batch(strip.samples).map { RGBImage($0) }))))
    }
}
