/// The images an experiment produced for its figures, keyed by value (sampler, step count, item index); the
/// first seed's only. The experiments compute them; laying them out as rows, columns and captions is the
/// front end's work (the site's `ExperimentResult.figures(of:)`).
public enum ExperimentImages: Sendable, Codable, Hashable {
    /// Convergence, or an experiment with no images to show.
    case none
    /// Sampling: each cell's samples.
    case samples(CellGalleries)
    /// Reconstruction: each cell's originals and reconstructions, with the first image's error.
    case roundTrips(CellGalleries)
    /// Interpolation: each cell's strip.
    case strips([SamplerCell: InterpolationStrip])
    /// Editing: each cell's edit pairs, in the request's order.
    case edits([SamplerCell: [EditPreview]])
}

/// One cell of an experiment's grid: a sampler at a step count.
public struct SamplerCell: Sendable, Codable, Hashable {
    public var sampler: SamplerChoice
    public var steps: Int

    public init(sampler: SamplerChoice, steps: Int) {
        self.sampler = sampler
        self.steps = steps
    }
}

/// The galleries of a sampling or reconstruction experiment: per cell, its entries by item index.
public struct CellGalleries: Sendable, Codable, Hashable {
    /// The items each cell's metrics are over (the galleries hold at most the request's `gallery` of them).
    public var count: Int
    public var entries: [SamplerCell: [GalleryEntry]]

    public init(count: Int, entries: [SamplerCell: [GalleryEntry]]) {
        self.count = count
        self.entries = entries
    }

    /// The cell's entries in index order; none for a cell not run.
    public func gallery(_ sampler: SamplerChoice, _ steps: Int) -> [GalleryEntry] {
        entries[SamplerCell(sampler: sampler, steps: steps)] ?? []
    }
}
