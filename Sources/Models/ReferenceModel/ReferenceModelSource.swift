import Foundation

/// The `--model` values that name the embedded reference model rather than a diffusers folder.
public enum ReferenceModelSource: Equatable, Sendable {
    /// `builtin:shapes`: the procedural shapes set.
    case builtinShapes
    /// `gmm:DIR`: a folder of PNG images.
    case imageFolder(URL)

    public static let builtinNames = ["shapes"]

    /// The reference model a `--model` value names; nil when it names something else (a model folder, a
    /// builtin diffusers model). Parsed by `ModelReference`.
    public static func parse(_ argument: String) throws -> ReferenceModelSource? {
        try ModelReference(parsing: argument).referenceSource
    }

    /// The images the mixture is centred on. `imageSize` resamples a folder's images to one square size.
    public func loadImages(imageSize: Int? = nil) throws -> LabeledImageSet {
        switch self {
        case .builtinShapes: return ShapesDataset.make()
        case .imageFolder(let folder): return try ImageFolderDataset.load(folder, size: imageSize)
        }
    }
}
