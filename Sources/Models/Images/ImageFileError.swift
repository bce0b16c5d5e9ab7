import Foundation

/// An image file (PNG or JPEG), or a folder of them, that could not be read or written: the path and what
/// went wrong.
public struct ImageFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }

    /// Reads a file and decodes it, every failure reported against the file's path.
    static func reading(_ url: URL, with decode: (Data) throws -> PlanarImage) throws -> PlanarImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageFileError(url.path, "cannot be read (\(error.localizedDescription))")
        }
        do {
            return try decode(data)
        } catch let error as ImageFileError {
            throw ImageFileError(url.path, error.reason)
        }
    }
}
