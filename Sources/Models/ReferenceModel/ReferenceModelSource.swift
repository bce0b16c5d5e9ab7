import Foundation

/// The `--model` values that name the embedded reference model rather than a diffusers folder.
public enum ReferenceModelSource: Equatable, Sendable {
    /// `builtin:shapes`: the procedural shapes set.
    case builtinShapes
    /// `gmm:DIR`: a folder of PNG images.
    case imageFolder(URL)

    public static let builtinNames = ["shapes"]

    /// The reference model a `--model` value names; nil when it names something else (a model folder).
    public static func parse(_ argument: String) throws -> ReferenceModelSource? {
        if argument.hasPrefix("builtin:") {
            let name = String(argument.dropFirst("builtin:".count))
            guard name == "shapes" else {
                throw ImageFileError(argument, "is not a builtin model; the builtin models are \(builtinNames.map { "builtin:\($0)" }.joined(separator: ", "))")
            }
            return .builtinShapes
        }
        if argument.hasPrefix("gmm:") {
            let path = String(argument.dropFirst("gmm:".count))
            guard !path.isEmpty else {
                throw ImageFileError(argument, "names no folder; write gmm:DIR with DIR a folder of PNG images")
            }
            return .imageFolder(URL(fileURLWithPath: path))
        }
        return nil
    }

    /// The images the mixture is centred on. `imageSize` resamples a folder's images to one square size.
    public func loadImages(imageSize: Int? = nil) throws -> LabeledImageSet {
        switch self {
        case .builtinShapes: return ShapesDataset.make()
        case .imageFolder(let folder): return try ImageFolderDataset.load(folder, size: imageSize)
        }
    }
}
