import Tensors

/// One image as channel planes of floats in [-1, 1] (the diffusion models' data range), laid out [C, H, W]
/// like one sample of an NCHW tensor.
public struct PlanarImage: Equatable, Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(channels * height * width == values.count,
                     "a \(channels)×\(height)×\(width) image holds \(channels * height * width) values, not \(values.count)")
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    public init(channels: Int, height: Int, width: Int, filledWith value: Float) {
        self.init(channels: channels, height: height, width: width,
                  values: [Float](repeating: value, count: channels * height * width))
    }

    public var shape: [Int] { [channels, height, width] }

    public subscript(channel: Int, y: Int, x: Int) -> Float {
        get { values[(channel * height + y) * width + x] }
        set { values[(channel * height + y) * width + x] = newValue }
    }

    /// The images of a batch tensor [N, C, H, W] (or one image [C, H, W]).
    public static func batch(_ tensor: HostTensor) -> [PlanarImage] {
        let shape = tensor.shape.count == 3 ? [1] + tensor.shape : tensor.shape
        precondition(shape.count == 4, "images need a [N, C, H, W] or [C, H, W] tensor, got \(tensor.shape)")
        let size = shape[1] * shape[2] * shape[3]
        return (0..<shape[0]).map { n in
            PlanarImage(channels: shape[1], height: shape[2], width: shape[3],
                        values: Array(tensor.scalars[(n * size)..<((n + 1) * size)]))
        }
    }

    /// Stacks images of one shape into a batch tensor [N, C, H, W].
    public static func stack(_ images: [PlanarImage]) -> HostTensor {
        precondition(!images.isEmpty, "cannot stack an empty list of images")
        let shape = images[0].shape
        precondition(images.allSatisfy { $0.shape == shape }, "cannot stack images of different shapes")
        return HostTensor(shape: [images.count] + shape, scalars: images.flatMap(\.values))
    }
}

/// The one mapping between 8-bit pixel levels and the [-1, 1] data range, shared by the image set, the PNG
/// reader and writer, so that a dataset exported to PNG and read back is bit-for-bit the same model.
public enum PixelLevels {
    /// Level k ∈ 0…255 ↦ k/127.5 − 1.
    public static func value(ofLevel level: UInt8) -> Float { Float(Double(level) / 127.5 - 1) }

    /// The nearest level to a value in [-1, 1], clamped (NaN maps to 0).
    public static func level(of value: Float) -> UInt8 {
        let scaled = ((Double(value) + 1) * 127.5).rounded()
        guard !scaled.isNaN else { return 0 }
        return UInt8(min(max(scaled, 0), 255))
    }
}
