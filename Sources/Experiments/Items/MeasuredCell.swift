/// What one item of an interpolation, editing or convergence cell produced: one sampler at one step count for
/// one seed, over all of the request's images. Its metrics are kept as the experiment reported them (a mean
/// and the number it is over), so that the assembly's count-weighted mean over seeds is computed exactly as a
/// run of the whole experiment computes it; its images are what the figures show of it.
public struct MeasuredCell: Sendable, Codable, Hashable {
    /// In the order measured (for editing: edit pair by edit pair).
    public var metrics: [MeasuredMetric]
    public var images: Images

    public init(metrics: [MeasuredMetric], images: Images) {
        self.metrics = metrics
        self.images = images
    }

    /// The figure material of one cell, per kind.
    public enum Images: Sendable, Codable, Hashable {
        /// Convergence: its figures are plots drawn from the records.
        case none
        case strip(InterpolationStrip)
        /// One per edit pair, in the request's order.
        case edits([EditPreview])
    }
}

/// A mean over `count` items of one metric.
public struct MeasuredMetric: Sendable, Codable, Hashable {
    public var metric: String
    public var value: Double
    public var count: Int

    public init(metric: String, value: Double, count: Int) {
        self.metric = metric
        self.value = value
        self.count = count
    }
}

/// One interpolation strip: the two images (or noises) it runs between, by index in the source set, and its
/// frames from t = 0 to 1.
public struct InterpolationStrip: Sendable, Codable, Hashable {
    public var first: Int
    public var second: Int
    /// The two endpoints, labelled "image i".
    public var endpoints: [LabeledImage]
    public var frames: [RGBImage]

    public init(first: Int, second: Int, endpoints: [LabeledImage], frames: [RGBImage]) {
        self.first = first
        self.second = second
        self.endpoints = endpoints
        self.frames = frames
    }
}

/// One edit pair's first image: its source and its edit, with the names of the two conditions.
public struct EditPreview: Sendable, Codable, Hashable {
    /// The figure's id: `edit-S-to-T` for classes, `edit-K` for the K-th prompt pair.
    public var id: String
    public var sourceName: String
    public var targetName: String
    public var source: RGBImage
    public var edit: RGBImage

    public init(id: String, sourceName: String, targetName: String, source: RGBImage, edit: RGBImage) {
        self.id = id
        self.sourceName = sourceName
        self.targetName = targetName
        self.source = source
        self.edit = edit
    }
}
