import Foundation
import Models

/// An 8-bit RGB image, row-major, 3 bytes per pixel: what experiments hand over for the site to write as PNG.
/// Encodes as `{"width", "height", "rgb": base64}` so cached results stay compact.
public struct RGBImage: Sendable, Codable, Hashable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage needs width*height*3 bytes, got \(pixels.count) for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    private enum CodingKeys: String, CodingKey { case width, height, rgb }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let width = try container.decode(Int.self, forKey: .width)
        let height = try container.decode(Int.self, forKey: .height)
        guard let data = Data(base64Encoded: try container.decode(String.self, forKey: .rgb)),
              width > 0, height > 0, data.count == width * height * 3 else {
            throw DecodingError.dataCorruptedError(forKey: .rgb, in: container, debugDescription: "pixel data does not match \(width)x\(height) RGB")
        }
        self.init(width: width, height: height, pixels: [UInt8](data))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(Data(pixels).base64EncodedString(), forKey: .rgb)
    }

    /// Maps values in [-1, 1] (the models' image space), laid out CHW with 1 or 3 channels, to 8-bit RGB
    /// levels as `PixelLevels` does (so PNGs written from either form agree).
    public init(chw values: [Float], channels: Int, height: Int, width: Int) {
        precondition(channels == 1 || channels == 3, "only 1- or 3-channel images can be shown")
        precondition(values.count == channels * height * width)
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let plane = width * height
        for p in 0..<plane {
            for c in 0..<3 { out[p * 3 + c] = PixelLevels.level(of: values[(channels == 1 ? 0 : c) * plane + p]) }
        }
        self.init(width: width, height: height, pixels: out)
    }

    public init(_ image: PlanarImage) {
        self.init(chw: image.values, channels: image.channels, height: image.height, width: image.width)
    }

    /// The same pixels as a 3-channel image in [-1, 1] (exact: every level maps back to itself).
    public var planar: PlanarImage {
        var values = [Float](repeating: 0, count: pixels.count)
        let plane = width * height
        for p in 0..<plane {
            for c in 0..<3 { values[c * plane + p] = PixelLevels.value(ofLevel: pixels[p * 3 + c]) }
        }
        return PlanarImage(channels: 3, height: height, width: width, values: values)
    }
}

/// One image in a cell, with what it shows ("original", "reconstruction", "error ×100", "seed 3").
public struct LabeledImage: Sendable, Codable, Hashable {
    public var label: String
    public var image: RGBImage

    public init(label: String, image: RGBImage) {
        self.label = label
        self.image = image
    }
}

/// A cell of a figure: one or more images shown together. With `compare` the first two images are shown
/// as a before/after slider (original and reconstruction, source and edit).
public struct ImageCell: Sendable, Codable, Hashable {
    public var images: [LabeledImage]
    public var compare: Bool

    public init(images: [LabeledImage], compare: Bool = false) {
        self.images = images
        self.compare = compare
    }
}

/// A row of a figure: typically one step count (galleries) or one sampler (interpolation strips).
public struct ImageRow: Sendable, Codable, Hashable {
    public var label: String
    public var cells: [ImageCell]

    public init(label: String, cells: [ImageCell]) {
        self.label = label
        self.cells = cells
    }
}

/// A figure made of images: columns are usually the samplers, rows the step counts. The site writes each
/// image as a PNG, the whole figure as one composite PNG (native and upscaled) under figures/, and shows
/// it as an HTML grid.
public struct ImageFigure: Sendable, Codable, Hashable {
    /// File-name stem, unique within its experiment ("samples", "round-trip", "strips").
    public var id: String
    public var title: String
    public var caption: String
    public var columns: [String]
    public var rows: [ImageRow]

    public init(id: String, title: String, caption: String, columns: [String], rows: [ImageRow]) {
        self.id = id
        self.title = title
        self.caption = caption
        self.columns = columns
        self.rows = rows
    }
}
