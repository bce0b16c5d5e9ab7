import Experiments
import Foundation

/// An interpolation experiment's figure: the endpoints, then a row of frames per sampler (and step count when
/// there are several); none when the request has no cell.
enum StripFigure {
    static func figure(_ request: ExperimentRequest, _ strips: [SamplerCell: InterpolationStrip]) -> ImageFigure? {
        guard let sampler = request.samplers.first, let steps = request.steps.first,
              let ends = strips[SamplerCell(sampler: sampler, steps: steps)] else { return nil }
        let frames = request.frames
        let ts = (0..<frames).map { String(format: "%.2g", Double($0) / Double(frames - 1)) }
        var rows = [ImageRow(label: "endpoints", cells: (0..<frames).map { k in
            k == 0 ? ImageCell(images: [ends.endpoints[0]]) : k == frames - 1 ? ImageCell(images: [ends.endpoints[1]]) : ImageCell(images: [])
        })]
        for n in request.steps {
            for choice in request.samplers {
                let name = request.samplerSettings.displayName(choice)
                let strip = strips[SamplerCell(sampler: choice, steps: n)]?.frames ?? []
                rows.append(ImageRow(label: request.steps.count > 1 ? "\(name), \(n) steps" : name,
                                     cells: zip(ts, strip).map { ImageCell(images: [LabeledImage(label: "t = \($0)", image: $1)]) }))
            }
        }
        return ImageFigure(id: "strips", title: "Interpolation strips.",
                           caption: "Images \(ends.first) and \(ends.second) inverted, their noises blended spherically, each blend sampled back; the first and last frames should reproduce the images.",
                           columns: ts.map { "t = \($0)" }, rows: rows)
    }
}
