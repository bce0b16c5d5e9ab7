import Compute
import FID
import Foundation
import Models
import Tensors

/// Runs the cell items of one sampling or reconstruction request on a model loaded once: each item is its
/// sampler at its step count over its global indices, in batches of `batchSize` (which changes nothing but
/// speed and memory). Only the item's samples are in memory at a time.
struct CellSweep {
    let request: ExperimentRequest
    let model: ExperimentModel
    /// Reconstruction: where image i comes from.
    let originals: Originals?
    enum Originals {
        /// The model's own evenly spaced images, all `count` of them (the built-in sets are small).
        case set(HostTensor)
        /// The first `count` files of the `images:` folder in name order, each read when its item runs.
        case files([URL])
    }
    let batchSize: Int
    /// What the items run on.
    let backend: any Backend
    /// With `fid:`, the FID Inception network on the sampling backend, loaded once for all items.
    let inception: FIDInception?

    init(request: ExperimentRequest, model: ExperimentModel, batchSize: Int, backend: any Backend) throws {
        self.request = request
        self.model = model
        self.batchSize = batchSize
        self.backend = backend
        if let fid = request.fid, request.kind == .sampling {
            do {
                inception = try FIDInception(contentsOf: URL(fileURLWithPath: fid.inception), backend: backend)
            } catch let error as FIDError {
                throw ExperimentError("experiment '\(request.name)', `fid: inception:`: \(error.description)")
            }
        } else {
            inception = nil
        }
        switch request.kind {
        case .reconstruction:
            if let folder = request.images {
                originals = .files(Array(try InputImages.files([folder]).prefix(request.count)))
            } else {
                originals = .set(try model.evenlySpacedImages(count: request.count).images)
            }
        default: originals = nil
        }
    }

    func settings(_ cell: CellItem, count: Int, progress: ((ExperimentStep) -> Void)? = nil) -> RunSettings {
        RunSettings(samplers: [cell.sampler], steps: [cell.steps], sampler: request.samplerSettings,
                    seed: cell.seed, count: count, batchSize: batchSize, progress: progress)
    }

    func run(_ cell: CellItem, backend: any Backend, progress: ((ExperimentStep) -> Void)? = nil) throws -> CellItemResult {
        switch request.kind {
        case .sampling: try sampling(cell, backend: backend, progress: progress)
        case .reconstruction: try reconstruction(cell, backend: backend, progress: progress)
        case .interpolation, .editing, .convergence:
            throw ExperimentError("experiment '\(request.name)': \(request.kind.rawValue) items do not split by index")
        }
    }

    /// The indices of `cell` the gallery shows.
    func galleryIndices(_ cell: CellItem) -> Range<Int> {
        cell.first..<max(cell.first, min(cell.first + cell.count, request.gallery))
    }

    private func sampling(_ cell: CellItem, backend: any Backend, progress: ((ExperimentStep) -> Void)?) throws -> CellItemResult {
        let settings = settings(cell, count: cell.count, progress: progress)
        var experiment = request.prompts.isEmpty
            ? SamplingExperiment(settings: settings, classes: request.classes, guidance: request.guidance)
            : SamplingExperiment(settings: settings, prompts: request.prompts, guidance: request.guidance)
        experiment.firstIndex = cell.first
        let output = try experiment.run(model, backend: backend)
        let samples = PlanarImage.batch(output.runs[0].samples)
        let gallery = galleryIndices(cell).map { i in
            GalleryEntry(index: i, images: [LabeledImage(label: sampleLabel(i), image: RGBImage(samples[i - cell.first]))])
        }
        return CellItemResult(statistics: statistics(output.records, count: cell.count), gallery: gallery, exported: try exported(samples),
                              features: features(samples.map { RGBImage($0).planar }))
    }

    /// The FID Inception features of `images` (values in [−1, 1]; grey repeated over three channels), in
    /// batches of `batchSize`; nil without `fid:`. Sampling passes its samples at the 8-bit levels of the
    /// exported PNGs, so the FID is the one FID tools give on the `export: samples` folder.
    private func features(_ images: [PlanarImage]) -> ItemFeatures? {
        guard let inception else { return nil }
        var values: [Float] = []
        values.reserveCapacity(images.count * FIDInception.featureWidth)
        for range in Batches.ranges(count: images.count, size: batchSize) {
            let first = images[range.lowerBound]
            var pixels: [Float] = []
            pixels.reserveCapacity(range.count * 3 * first.height * first.width)
            for image in images[range] {
                // The network takes [0, 1].
                let unit = image.values.map { ($0 + 1) / 2 }
                pixels += image.channels == 3 ? unit : Array(repeating: unit, count: 3).flatMap { $0 }
            }
            let batch = inception.backend.tensor(pixels, shape: [range.count, 3, first.height, first.width])
            values += inception.features(batch).values()
        }
        return ItemFeatures(rows: images.count, width: FIDInception.featureWidth, values: values)
    }

    /// The PNGs `export: samples` asks for, at the gallery's 8-bit levels.
    private func exported(_ images: [PlanarImage]) throws -> [Data]? {
        guard request.exportSamples else { return nil }
        return try images.map { try PNGCodec.encode(RGBImage($0).planar) }
    }

    private func sampleLabel(_ i: Int) -> String {
        !request.prompts.isEmpty ? request.prompts[i % request.prompts.count]
            : request.classes.isEmpty ? "sample \(i + 1)" : model.classNames[request.classes[i % request.classes.count]]
    }

    private func reconstruction(_ cell: CellItem, backend: any Backend, progress: ((ExperimentStep) -> Void)?) throws -> CellItemResult {
        let images: HostTensor
        switch originals {
        case .set(let all): images = slice(all, cell.indices)
        case .files(let files):
            let shape = model.imageShape
            images = try InputImages.load(files[cell.indices].map(\.path), channels: shape[0], side: shape[1])
        case nil: throw ExperimentError("experiment '\(request.name)': a reconstruction sweep without its originals")
        }
        let output = try ReconstructionExperiment(settings: settings(cell, count: cell.count, progress: progress), images: images).run(model, backend: backend)
        let before = PlanarImage.batch(output.originals), after = PlanarImage.batch(output.reconstructions[0].samples)
        let gallery = galleryIndices(cell).map { i in
            let k = i - cell.first
            return GalleryEntry(index: i, images: [LabeledImage(label: "original", image: RGBImage(before[k])),
                                                   LabeledImage(label: "reconstruction", image: RGBImage(after[k]))],
                                error: i == 0 ? ErrorValues(before[k], after[k]) : nil)
        }
        return CellItemResult(statistics: statistics(output.records, count: cell.count), gallery: gallery, exported: try exported(after))
    }

    /// The experiments report means over the item; as sums they merge across items.
    private func statistics(_ records: [MetricRecord], count: Int) -> CellStatistics {
        CellStatistics(means: Dictionary(uniqueKeysWithValues: records.map { ($0.metric, MeanSum(mean: $0.value, n: count)) }))
    }
}

extension CellSweep: CellRunner {
    func run(_ cell: CellItem, progress: ((ExperimentStep) -> Void)?) throws -> ItemResult {
        .cell(try run(cell, backend: backend, progress: progress))
    }
}
