import Foundation

/// Finds belm's own page templates when a config names none, the way `BuiltinModelLocator` finds
/// builtin:shapes-unet: beside the executable (`<bin>/Templates`, `<bin>/../share/belm/Templates`, where
/// `make install` puts them), then in the source tree this file was built from (`swift run` in a checkout).
/// So a config in any folder builds with the templates of the belm that builds it.
public enum BuiltinTemplates {
    /// The file every templates folder has; a folder without it is not taken.
    static let marker = TemplateSet.layoutName

    /// The default places, in order.
    public static var searchRoots: [URL] {
        // Bundle.main's executable URL is the real path (/proc/self/exe on Linux), also when belm is found on PATH.
        let binary = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        let bin = binary.resolvingSymlinksInPath().deletingLastPathComponent()
        return [bin.appendingPathComponent("Templates"),
                bin.deletingLastPathComponent().appendingPathComponent("share/belm/Templates"),
                sourceTemplates]
    }

    /// `Templates/` at the root of the checkout this module was compiled from.
    public static let sourceTemplates = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Templates")

    /// The first of `roots` that holds a layout template.
    public static func locate(in roots: [URL] = searchRoots) -> URL? {
        roots.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(marker).path) }?.standardizedFileURL
    }
}
