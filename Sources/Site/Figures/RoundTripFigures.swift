import Experiments

/// A reconstruction experiment's figures: the first image's round trip per cell with its error map, then every
/// shown image at the fewest steps; none when the request shows no gallery.
enum RoundTripFigures {
    static func figures(_ request: ExperimentRequest, _ galleries: CellGalleries) -> [ImageFigure] {
        guard request.gallery > 0 else { return [] }
        func first(_ choice: SamplerChoice, _ n: Int) -> GalleryEntry? { galleries.gallery(choice, n).first { $0.index == 0 } }
        let largest = request.steps.flatMap { n in request.samplers.map { first($0, n)?.error?.largest ?? 0 } }.max() ?? 0
        // One scale for the whole figure, so the error maps compare across cells.
        let amplification = ErrorValues.amplification(forLargestError: largest)
        let roundTrips = ImageFigure(
            id: "round-trip", title: "Round trips.",
            caption: "Original and reconstruction of the first image (drag the slider), and |original − reconstruction| ×\(Int(amplification)), the power of ten that makes the largest error in the figure white.",
            columns: request.samplers.map(request.samplerSettings.displayName),
            rows: request.steps.map { n in
                ImageRow(label: "\(n) steps", cells: request.samplers.map { choice in
                    guard let entry = first(choice, n), let error = entry.error else { return ImageCell(images: []) }
                    return ImageCell(images: entry.images + [LabeledImage(label: "error ×\(Int(amplification))", image: RGBImage(error.map(amplification: amplification)))],
                                     compare: true)
                })
            })
        let fewest = request.steps[0], shown = min(galleries.count, request.gallery)
        let originals = galleries.gallery(request.samplers[0], fewest).prefix(shown).map { $0.images[0] }
        var rows = [ImageRow(label: "originals", cells: originals.map { ImageCell(images: [$0]) })]
        for choice in request.samplers {
            rows.append(ImageRow(label: request.samplerSettings.displayName(choice), cells: galleries.gallery(choice, fewest).prefix(shown).map { entry in
                ImageCell(images: [LabeledImage(label: "\(request.samplerSettings.displayName(choice)), \(fewest) steps", image: entry.images[1].image)])
            }))
        }
        let all = ImageFigure(id: "all-images", title: "Every image at \(fewest) steps.",
                              caption: "The originals, then each sampler's reconstructions after inverting with \(fewest) steps and sampling back.",
                              columns: (1...shown).map { "image \($0)" }, rows: rows)
        return [roundTrips, all]
    }
}
