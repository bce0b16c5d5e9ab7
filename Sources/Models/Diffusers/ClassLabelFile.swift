import Foundation
import Tensors

/// `belm.json` beside a class-conditional model's model_index.json: the class names, in label order, and the
/// null class — the extra label trained with label dropout that classifier-free guidance evaluates as
/// "unconditional". `{"classes": ["circle", "square"], "null_class": 2}`.
public struct ClassLabelFile: Sendable, Equatable {
    public var classes: [String]
    public var nullClass: Int?

    public init(classes: [String], nullClass: Int?) {
        self.classes = classes
        self.nullClass = nullClass
    }

    public static let fileName = "belm.json"

    /// Reads `<folder>/belm.json`; nil when the folder has none.
    public static func load(folder: URL) throws -> ClassLabelFile? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let config = try DiffusersConfig(contentsOf: url)
        let classes = try config.strings("classes", default: [])
        let nullClass = try config.optionalInt("null_class")
        return ClassLabelFile(classes: classes, nullClass: nullClass)
    }

    /// Checks the file against a UNet with `classCount` class-embedding rows.
    func validate(classCount: Int, file: URL) throws {
        guard classes.count <= classCount else {
            throw TensorFileError(file, "field \"classes\" names \(classes.count) classes, but the UNet's num_class_embeds is \(classCount); the file belongs to another model")
        }
        if let nullClass {
            guard (0..<classCount).contains(nullClass) else {
                throw TensorFileError(file, "field \"null_class\" is \(nullClass), outside the UNet's classes 0..<\(classCount)")
            }
            guard nullClass >= classes.count || classes.isEmpty else {
                throw TensorFileError(file, "field \"null_class\" is \(nullClass), which is the named class \"\(classes[nullClass])\"; the null class must be a label without a name (usually the last, \(classCount - 1))")
            }
        }
    }
}
