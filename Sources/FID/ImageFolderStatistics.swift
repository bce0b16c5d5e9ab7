import Compute
import Foundation
import Models

/// FID statistics of a folder of images, as pytorch-fid's `fid_score` computes them: every PNG and JPEG file
/// directly in the folder (sorted by name; hidden files and other files ignored), read as RGB in [0, 1] (grey
/// images repeated over the three channels), through the FID Inception network (each resized to 299 × 299),
/// pool3 features summed in float64. Images of different sizes are fine: a batch holds images of one size.
/// Two differences from PIL's reading: libpng composites alpha onto black (PIL's convert('RGB') drops it), and
/// 16-bit PNGs are reduced to 8 bits before scaling.
public struct ImageFolderStatistics {
    public static let defaultBatchSize = 16

    public let network: FIDInception
    public let batchSize: Int

    public init(network: FIDInception, batchSize: Int = Self.defaultBatchSize) {
        precondition(batchSize > 0, "batch size must be positive")
        self.network = network
        self.batchSize = batchSize
    }

    /// The image files of `folder` that FID reads, sorted by name.
    public static func imageFiles(in folder: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FIDError("\(folder.path): is not a folder of images")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { !$0.hasPrefix(".") && ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { folder.appendingPathComponent($0) }
    }

    /// The image files of `folder`, refused when fewer than the 2 a covariance needs.
    public static func checkedImageFiles(in folder: URL) throws -> [URL] {
        let files = try imageFiles(in: folder)
        guard files.count >= 2 else {
            throw FIDError("\(folder.path): holds \(files.count) PNG or JPEG image\(files.count == 1 ? "" : "s"); FID statistics need at least 2 (and thousands for a meaningful score)")
        }
        return files
    }

    /// The feature sums of the folder's images; at least 2 are needed for a covariance.
    public func moments(ofFolder folder: URL) throws -> FeatureMoments {
        var moments = FeatureMoments(dimension: FIDInception.featureWidth)
        try forEachBatch(ofFolder: folder) { moments.add($0, rows: $1) }
        return moments
    }

    /// The feature sums and the features themselves (row-major [count, 2048], in file order), for KID, which
    /// needs the rows; the sums are added batch by batch as `moments(ofFolder:)` adds them (the same FID).
    public func momentsAndFeatures(ofFolder folder: URL) throws -> (moments: FeatureMoments, features: [Float]) {
        var moments = FeatureMoments(dimension: FIDInception.featureWidth)
        var all: [Float] = []
        try forEachBatch(ofFolder: folder) { batch, rows in
            moments.add(batch, rows: rows)
            all += batch
        }
        return (moments, all)
    }

    /// The features of the folder's images a batch at a time (rows, row-major) in file order; a batch holds
    /// images of one size.
    private func forEachBatch(ofFolder folder: URL, _ body: ([Float], Int) throws -> Void) throws {
        let files = try Self.checkedImageFiles(in: folder)
        var pending: [PlanarImage] = []
        func flush() throws {
            guard let first = pending.first else { return }
            try body(features(of: pending, height: first.height, width: first.width), pending.count)
            pending.removeAll()
        }
        for file in files {
            let image = try Self.read(file)
            if let first = pending.first, first.height != image.height || first.width != image.width { try flush() }
            pending.append(image)
            if pending.count == batchSize { try flush() }
        }
        try flush()
    }

    public func statistics(ofFolder folder: URL) throws -> FIDStatistics {
        try moments(ofFolder: folder).statistics()
    }

    private func features(of images: [PlanarImage], height: Int, width: Int) -> [Float] {
        var pixels: [Float] = []
        pixels.reserveCapacity(images.count * 3 * height * width)
        for image in images {
            // The codecs give [-1, 1]; the network takes [0, 1].
            let unit = image.values.map { ($0 + 1) / 2 }
            pixels += image.channels == 3 ? unit : Array(repeating: unit, count: 3).flatMap { $0 }
        }
        let batch = network.backend.tensor(pixels, shape: [images.count, 3, height, width])
        return network.features(batch).values()
    }

    static func read(_ file: URL) throws -> PlanarImage {
        let ext = file.pathExtension.lowercased()
        do {
            return ext == "png" ? try PNGCodec.read(file) : try JPEGCodec.read(file)
        } catch let error as ImageFileError {
            throw FIDError(error.description)
        }
    }
}
