import Compute
import Models
import Tensors

/// Editing items: every edit pair of the request (class to class, or prompt to prompt) with one sampler at
/// one step count for one seed.
struct EditingCells: CellRunner {
    let request: ExperimentRequest
    let model: ExperimentModel
    let sources: SourceImages
    let batchSize: Int
    let backend: any Backend

    /// One edit: its conditions, their names, and the figure it shows in.
    private struct Pair {
        var source: ExperimentCondition
        var target: ExperimentCondition
        var sourceName: String
        var targetName: String
        var id: String
    }

    private func pairs() throws -> [Pair] {
        if request.prompts.isEmpty {
            return try zip(request.classes, request.targets).map { source, text in
                let target = try model.classIndex(text)
                guard model.classNames.indices.contains(source) else {
                    throw ExperimentError("experiment '\(request.name)': class \(source) is outside \(request.model)'s \(model.classNames.count) classes")
                }
                return Pair(source: .label(source), target: .label(target), sourceName: model.classNames[source],
                            targetName: model.classNames[target], id: "edit-\(source)-to-\(target)")
            }
        }
        return zip(request.prompts, request.targets).enumerated().map { i, pair in
            Pair(source: .prompt(pair.0), target: .prompt(pair.1), sourceName: pair.0, targetName: pair.1, id: "edit-\(i + 1)")
        }
    }

    func run(_ cell: CellItem, progress: ((ExperimentStep) -> Void)?) throws -> ItemResult {
        let settings = RunSettings(samplers: [cell.sampler], steps: [cell.steps], sampler: request.samplerSettings,
                                   seed: cell.seed, count: request.count, batchSize: batchSize, progress: progress)
        var images: HostTensor?
        if case .files(let given) = sources { images = SourceImages.first(request.count, of: given) }
        var metrics: [MeasuredMetric] = [], previews: [EditPreview] = []
        for pair in try pairs() {
            let output = try EditingExperiment(settings: settings, source: pair.source, target: pair.target, freezeStep: request.editFreezeStep,
                                               guidance: request.editGuidance, images: images).run(model, backend: backend)
            metrics += output.records.map { MeasuredMetric(metric: $0.metric, value: $0.value, count: $0.count) }
            guard let edits = output.edits.first else {
                throw ExperimentError("experiment '\(request.name)': \(cell.label) produced no edit")
            }
            previews.append(EditPreview(id: pair.id, sourceName: pair.sourceName, targetName: pair.targetName,
                                        source: RGBImage(PlanarImage.batch(output.sources)[0]), edit: RGBImage(PlanarImage.batch(edits.samples)[0])))
        }
        return .measured(MeasuredCell(metrics: metrics, images: .edits(previews)))
    }
}
