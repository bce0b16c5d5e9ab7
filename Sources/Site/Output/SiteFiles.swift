import Foundation

/// The files of a site, collected in memory before anything touches the disk: a build either produces
/// every file or fails before the output folder is touched.
struct SiteFiles {
    private(set) var files: [String: Data] = [:]

    mutating func add(_ path: String, _ data: Data) {
        precondition(files[path] == nil, "two outputs want the path \(path)")
        precondition(!path.hasPrefix("/") && !path.contains(".."), "site paths are relative: \(path)")
        files[path] = data
    }

    mutating func add(_ path: String, _ text: String) { add(path, Data(text.utf8)) }

    /// Written in sorted order into `folder`, which must exist and be empty.
    func write(into folder: URL) throws {
        for path in files.keys.sorted() {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: url.path, contents: files[path]) else {
                throw SiteWriteError(path: url.path, reason: "cannot be written; check free space and permissions")
            }
        }
    }
}

public struct SiteWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): error: \(reason)" }
}
