import Experiments

/// An editing experiment's figures: one per edit pair, named by the first cell's pairs, a row per step count
/// and a column per sampler, each cell the first image's source and edit.
enum EditFigures {
    static func figures(_ request: ExperimentRequest, _ edits: [SamplerCell: [EditPreview]]) -> [ImageFigure] {
        guard let sampler = request.samplers.first, let steps = request.steps.first,
              let named = edits[SamplerCell(sampler: sampler, steps: steps)] else { return [] }
        let freeze = request.editFreezeStep, guidance = request.editGuidance
        return named.indices.map { pair in
            let names = named[pair]
            return ImageFigure(
                id: names.id, title: "\(names.sourceName) → \(names.targetName).",
                caption: "Source and edit of the first image (drag the slider); inverted to state \(freeze), sampled under class \(names.targetName) with guidance \(guidance).",
                columns: request.samplers.map(request.samplerSettings.displayName),
                rows: request.steps.map { n in
                    ImageRow(label: "\(n) steps", cells: request.samplers.map { choice in
                        // The assembly checked that every cell holds each of the first cell's pairs.
                        guard let edit = edits[SamplerCell(sampler: choice, steps: n)]?[pair] else { return ImageCell(images: []) }
                        return ImageCell(images: [LabeledImage(label: "source (\(names.sourceName))", image: edit.source),
                                                  LabeledImage(label: "edit (\(names.targetName))", image: edit.edit)], compare: true)
                    })
                })
        }
    }
}
