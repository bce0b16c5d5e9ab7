import Foundation

/// A `--model` value (or a config's model source), parsed once: the embedded reference model, a builtin
/// diffusers model, the reference model built from a folder of images, or a diffusers folder. Everything that
/// asks what a model value names (loading, digests, labels, the folders a build reads) switches over this
/// instead of looking at `builtin:` and `gmm:` prefixes.
public enum ModelReference: Hashable, Sendable, CustomStringConvertible {
    /// `builtin:shapes`: the exact denoiser of the procedural shapes set.
    case builtinShapes
    /// `builtin:NAME` for a diffusers folder belm ships (`builtin:shapes-unet`), found by `BuiltinModelLocator`.
    case builtinDiffusers(name: String)
    /// `gmm:DIR`: the reference model centred on a folder of images.
    case mixture(folder: String)
    /// `DIR`: a diffusers folder.
    case diffusers(folder: String)

    /// Every `builtin:` value, in the order messages list them.
    public static var builtinValues: [String] {
        ["builtin:shapes"] + BuiltinModelLocator.diffusersNames.map { "builtin:" + $0 }
    }

    /// Parses a model value; an unknown `builtin:` name and an empty `gmm:` are errors naming the choices.
    public init(parsing text: String) throws {
        if text.hasPrefix("builtin:") {
            let name = String(text.dropFirst("builtin:".count))
            if name == "shapes" {
                self = .builtinShapes
            } else if BuiltinModelLocator.diffusersNames.contains(name) {
                self = .builtinDiffusers(name: name)
            } else {
                throw ImageFileError(text, "is not a builtin model; the builtin models are \(Self.builtinValues.joined(separator: ", "))")
            }
        } else if text.hasPrefix("gmm:") {
            let path = String(text.dropFirst("gmm:".count))
            guard !path.isEmpty else { throw ImageFileError(text, "names no folder; write gmm:DIR with DIR a folder of PNG images") }
            self = .mixture(folder: path)
        } else {
            self = .diffusers(folder: text)
        }
    }

    /// The value as written: what records, keys and messages name the model by.
    public var description: String {
        switch self {
        case .builtinShapes: "builtin:shapes"
        case .builtinDiffusers(let name): "builtin:\(name)"
        case .mixture(let folder): "gmm:\(folder)"
        case .diffusers(let folder): folder
        }
    }

    /// The folder of model files the user gave; nil for builtin models (which ship with belm).
    public var folder: String? {
        switch self {
        case .builtinShapes, .builtinDiffusers: nil
        case .mixture(let folder), .diffusers(let folder): folder
        }
    }

    /// The same model with its folder replaced (made absolute, say); builtin models are unchanged.
    public func with(folder: String) -> ModelReference {
        switch self {
        case .builtinShapes, .builtinDiffusers: self
        case .mixture: .mixture(folder: folder)
        case .diffusers: .diffusers(folder: folder)
        }
    }

    /// How pages and records published with a site name it: builtin values as they are, folders by their last
    /// component (the machine's paths stay private).
    public var label: String {
        switch self {
        case .builtinShapes, .builtinDiffusers: description
        case .mixture(let folder): "gmm:" + URL(fileURLWithPath: folder).lastPathComponent
        case .diffusers(let folder): URL(fileURLWithPath: folder).lastPathComponent
        }
    }

    /// The reference model it names, or nil for a diffusers model.
    public var referenceSource: ReferenceModelSource? {
        switch self {
        case .builtinShapes: .builtinShapes
        case .mixture(let folder): .imageFolder(URL(fileURLWithPath: folder))
        case .builtinDiffusers, .diffusers: nil
        }
    }

    /// The diffusers folder it names (a builtin one looked up with `locator`), or nil for the reference model.
    public func diffusersFolder(locator: BuiltinModelLocator) throws -> URL? {
        switch self {
        case .builtinShapes, .mixture: nil
        case .builtinDiffusers(let name): try locator.folder(named: name)
        case .diffusers(let folder): URL(fileURLWithPath: folder)
        }
    }
}
