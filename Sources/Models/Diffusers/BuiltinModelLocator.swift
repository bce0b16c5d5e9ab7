import Foundation
import Tensors

/// Finds the diffusers folders belm ships by name (`builtin:shapes-unet`). The folder is looked up, in order:
/// in `$BELM_MODELS/<name>`; beside the executable (`<bin>/<name>`, `<bin>/../share/belm/<name>`), where an
/// install copies it; and in the source tree this file was built from (`Sources/Models/Resources/<name>`),
/// which is what `swift run` and `swift test` in a checkout use. No SwiftPM resource bundle: a bundle must
/// travel with the binary, and a missing one stops the program instead of giving an error.
public struct BuiltinModelLocator: Sendable {
    /// The `builtin:` names that are diffusers folders (the others are reference models).
    public static let diffusersNames = ["shapes-unet"]

    public var searchRoots: [URL]

    public init(searchRoots: [URL]) { self.searchRoots = searchRoots }

    /// The default search roots for this process.
    public static var standard: BuiltinModelLocator {
        var roots: [URL] = []
        if let custom = ProcessInfo.processInfo.environment["BELM_MODELS"], !custom.isEmpty {
            roots.append(URL(fileURLWithPath: custom))
        }
        // Bundle.main's executable URL is the real path (/proc/self/exe on Linux), also when belm is found on PATH.
        let binary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        let executable = binary.resolvingSymlinksInPath().deletingLastPathComponent()
        roots.append(executable)
        roots.append(executable.deletingLastPathComponent().appendingPathComponent("share/belm"))
        roots.append(sourceResources)
        return BuiltinModelLocator(searchRoots: roots)
    }

    /// `Sources/Models/Resources` of the checkout this module was compiled from.
    public static let sourceResources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources")

    /// The folder of a builtin model: the first root holding `<name>/model_index.json`.
    public func folder(named name: String) throws -> URL {
        for root in searchRoots {
            let candidate = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("model_index.json").path) {
                return candidate
            }
        }
        throw ModelInputError("builtin:\(name)", "is not installed: no \(name)/model_index.json in \(searchRoots.map(\.path).joined(separator: ", ")). Train it with `python3 scripts/train_shapes_unet.py --data DIR --out Sources/Models/Resources/\(name)`, copy the folder beside the belm binary, or set BELM_MODELS to the folder holding \(name)/")
    }
}
