import FID
import Foundation

/// The FID Inception features of one item's samples, [rows, width] float32 in index order. An item keeps its
/// features rather than their moments: 64 rows of 2048 values are 0.5 MB, where Σffᵀ alone is 32 MB. The cell's
/// `FeatureMoments` (float64) are summed from them at assembly, item by item in item order, so the sums are
/// the same however the items were computed. Stored as base64 of their little-endian bytes.
public struct ItemFeatures: Sendable, Codable, Hashable {
    public var rows: Int
    public var width: Int
    public var values: [Float]

    public init(rows: Int, width: Int, values: [Float]) {
        precondition(values.count == rows * width, "\(values.count) feature values are not \(rows) rows of \(width)")
        self.rows = rows
        self.width = width
        self.values = values
    }

    /// Adds these rows to `moments`.
    public func add(to moments: inout FeatureMoments) throws {
        guard width == moments.dimension else {
            throw ExperimentError("an item's Inception features are \(width) wide, the cell's \(moments.dimension); recompute the items with one network")
        }
        moments.add(values, rows: rows)
    }

    private enum CodingKeys: String, CodingKey { case rows, width, float32 }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows), width = try container.decode(Int.self, forKey: .width)
        guard rows >= 0, width > 0,
              let values = Float32Base64.decode(try container.decode(String.self, forKey: .float32), count: rows * width) else {
            throw DecodingError.dataCorruptedError(forKey: .float32, in: container, debugDescription: "features do not match \(rows)x\(width)")
        }
        self.rows = rows
        self.width = width
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(width, forKey: .width)
        try container.encode(Float32Base64.encode(values), forKey: .float32)
    }
}

/// Reads one cell item's features when assembly comes to it. The site reads them back from the cache one
/// item at a time, so that assembly holds one item's features (0.5 MB) rather than a cell's (400 MB at
/// 50,000 samples); nil means the entry holds none.
public typealias ItemFeatureReader = (CellItem) throws -> ItemFeatures?
