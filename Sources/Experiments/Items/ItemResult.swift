import Foundation
import Models

/// What one work item produced: small whatever the sample count, since only the first few indices of a cell
/// (the gallery) keep their images.
public enum ItemResult: Sendable, Codable, Hashable {
    /// A whole-experiment item: the experiment's result as it stands.
    case whole(ExperimentResult)
    case cell(CellItemResult)
    /// An interpolation, editing or convergence cell item.
    case measured(MeasuredCell)
}

public struct CellItemResult: Sendable, Codable, Hashable {
    public var statistics: CellStatistics
    /// The item's indices below the request's `gallery`, in index order.
    public var gallery: [GalleryEntry]
    /// With `export: samples`, every sample (or reconstruction) of the item as PNG bytes, in index order;
    /// nil otherwise. Read from the cache one item at a time when the site is written, never all at once.
    public var exported: [Data]?
    /// With `fid:`, the FID Inception features of every sample of the item; nil otherwise.
    public var features: ItemFeatures?

    public init(statistics: CellStatistics, gallery: [GalleryEntry], exported: [Data]? = nil, features: ItemFeatures? = nil) {
        self.statistics = statistics
        self.gallery = gallery
        self.exported = exported
        self.features = features
    }
}

/// The images of one item index that the figures show: a sample; or an original and its reconstruction.
public struct GalleryEntry: Sendable, Codable, Hashable {
    /// The global item index.
    public var index: Int
    public var images: [LabeledImage]
    /// Reconstruction: |original − reconstruction| per value at full precision, for the error map (whose
    /// scale is chosen over every cell, so it is drawn at assembly); kept for index 0 only.
    public var error: ErrorValues?

    public init(index: Int, images: [LabeledImage], error: ErrorValues? = nil) {
        self.index = index
        self.images = images
        self.error = error
    }
}

/// Absolute differences [C, H, W] as float32, stored as base64 of their little-endian bytes.
public struct ErrorValues: Sendable, Codable, Hashable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var values: [Float]

    public init(_ a: PlanarImage, _ b: PlanarImage) {
        precondition(a.values.count == b.values.count)
        channels = a.channels
        height = a.height
        width = a.width
        values = zip(a.values, b.values).map { abs($0 - $1) }
    }

    private enum CodingKeys: String, CodingKey { case channels, height, width, float32 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        channels = try container.decode(Int.self, forKey: .channels)
        height = try container.decode(Int.self, forKey: .height)
        width = try container.decode(Int.self, forKey: .width)
        guard channels > 0, height > 0, width > 0,
              let values = Float32Base64.decode(try container.decode(String.self, forKey: .float32), count: channels * height * width) else {
            throw DecodingError.dataCorruptedError(forKey: .float32, in: container, debugDescription: "error values do not match \(channels)x\(height)x\(width)")
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(channels, forKey: .channels)
        try container.encode(height, forKey: .height)
        try container.encode(width, forKey: .width)
        try container.encode(Float32Base64.encode(values), forKey: .float32)
    }

    public var largest: Float { values.max() ?? 0 }

    /// The differences times `amplification`, as an image (0 black, ≥ 1 white).
    public func map(amplification: Float) -> PlanarImage {
        PlanarImage(channels: channels, height: height, width: width, values: values.map { min(1, $0 / 2 * amplification) * 2 - 1 })
    }
}
