import Foundation

/// The files of a site, collected in memory before anything touches the disk: a build either produces
/// every file or fails before the output folder is touched.
struct SiteFiles {
    private(set) var files: [String: Data] = [:]
    /// Cache entries whose exported samples are copied under a folder of the site as it is written, one entry
    /// in memory at a time (`export: samples` of 50,000 samples would not fit in memory as `files`).
    private(set) var exports: [SampleExport] = []

    struct SampleExport {
        var cache: ResultCache
        var key: String
        /// The site folder, `samples/<experiment>/<sampler>-<steps>`.
        var folder: String
        /// The global index of the entry's first sample: file names are six-digit indices.
        var first: Int
        var count: Int
    }

    mutating func addExport(_ export: SampleExport) {
        precondition(!export.folder.hasPrefix("/") && !export.folder.contains(".."), "site paths are relative: \(export.folder)")
        exports.append(export)
    }

    /// How many files the site has, exported samples included.
    var count: Int { files.count + exports.map(\.count).reduce(0, +) }

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
        for export in exports {
            let folderURL = folder.appendingPathComponent(export.folder)
            try FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
            guard case .found(let entry) = export.cache.load(export.key), case .cell(let cell) = entry.result,
                  let pngs = cell.exported, pngs.count == export.count else {
                throw SiteWriteError(path: export.cache.url(export.key).path, reason: "the exported samples of this cache entry changed or went missing while the site was written; build again")
            }
            for (offset, png) in pngs.enumerated() {
                let url = folderURL.appendingPathComponent(String(format: "%06d.png", export.first + offset))
                guard FileManager.default.createFile(atPath: url.path, contents: png) else {
                    throw SiteWriteError(path: url.path, reason: "cannot be written; check free space and permissions")
                }
            }
        }
    }
}

public struct SiteWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): error: \(reason)" }
}
