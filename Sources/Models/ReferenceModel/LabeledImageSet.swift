/// A set of same-sized images with class labels: the component means of the reference mixture model.
/// Pixels are in [-1, 1], stored image after image, each [C, H, W] row-major.
public struct LabeledImageSet: Sendable {
    /// Where the set came from, as `--model` names it (`builtin:shapes`, `gmm:DIR`).
    public let name: String
    public let channels: Int
    public let height: Int
    public let width: Int
    /// [count · C·H·W] values in [-1, 1].
    public let pixels: [Float]
    /// One label per image, each an index into `classNames`.
    public let labels: [Int]
    public let classNames: [String]

    public init(name: String, channels: Int, height: Int, width: Int, pixels: [Float], labels: [Int], classNames: [String]) {
        precondition(!labels.isEmpty, "an image set needs at least one image")
        precondition(pixels.count == labels.count * channels * height * width,
                     "\(labels.count) images of \(channels)×\(height)×\(width) need \(labels.count * channels * height * width) values, not \(pixels.count)")
        precondition(labels.allSatisfy { classNames.indices.contains($0) }, "a label is outside the \(classNames.count) classes")
        self.name = name
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    public var count: Int { labels.count }
    /// Values per image, C·H·W.
    public var dimension: Int { channels * height * width }
    /// The shape of one sample, [C, H, W].
    public var imageShape: [Int] { [channels, height, width] }

    public func image(_ index: Int) -> PlanarImage {
        PlanarImage(channels: channels, height: height, width: width,
                    values: Array(pixels[(index * dimension)..<((index + 1) * dimension)]))
    }

    public var images: [PlanarImage] { (0..<count).map(image) }

    /// The indices of the images labelled `classIndex`, in order.
    public func indices(ofClass classIndex: Int) -> [Int] {
        labels.indices.filter { labels[$0] == classIndex }
    }

    /// The class index of a name, if the set has that class.
    public func classIndex(named name: String) -> Int? { classNames.firstIndex(of: name) }
}
