import Experiments

/// A sampling experiment's figure: a row per step count, a column per sampler, each cell the first seed's samples.
enum SampleFigure {
    static func figure(_ request: ExperimentRequest, _ galleries: CellGalleries) -> ImageFigure {
        let count = galleries.count, shown = min(count, request.gallery)
        let rows = request.steps.map { n in
            ImageRow(label: "\(n) steps", cells: request.samplers.map { ImageCell(images: galleries.gallery($0, n).flatMap(\.images)) })
        }
        let more = shown < count ? "; the metrics take all \(count)" : ""
        return ImageFigure(id: "samples", title: "Samples.",
                           caption: "Every cell of a row starts from the same \(shown) noises (seed \(request.seeds[0]))\(more); columns differ by sampler only.",
                           columns: request.samplers.map(request.samplerSettings.displayName), rows: rows)
    }
}
