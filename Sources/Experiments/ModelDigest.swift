import FID
import Foundation

/// What a cached result's key says about the files it was computed from: a model folder, or the images an
/// experiment inverts. Every byte counts — a checkpoint retrained in the middle is a different model — and
/// `FileDigests` keeps that cheap for files that have not changed since the last build.
public enum ModelDigest {
    /// Every file of a model folder (symbolic links followed, as the model loader follows them): its path
    /// relative to the folder, its size and the SHA-256 of its content, sorted by path. Hidden files and
    /// folders (`.cache/`, `.gitattributes`) are not part of a model: download tools rewrite them freely.
    public static func folder(_ path: String, digests: FileDigests) throws -> String {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        var files: [(name: String, url: URL)] = []
        for case let url as URL in walker {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            files.append((String(url.standardizedFileURL.path.dropFirst(root.path.count)), url))
        }
        return try digest(of: files, digests: digests)
    }

    /// The images an experiment's `images:` folder feeds it (the files `InputImages` reads, by name).
    public static func images(_ folder: String, digests: FileDigests) throws -> String {
        try digest(of: try InputImages.files([folder]).map { ($0.lastPathComponent, $0) }, digests: digests)
    }

    /// The reference set of `fid:`: its `.npz` file, or the images FID reads from its folder (by name).
    public static func fidReference(_ setting: FIDSetting, digests: FileDigests) throws -> String {
        let url = URL(fileURLWithPath: setting.reference)
        if setting.referenceIsStatistics { return try digest(of: [(url.lastPathComponent, url)], digests: digests) }
        return try digest(of: try ImageFolderStatistics.imageFiles(in: url).map { ($0.lastPathComponent, $0) }, digests: digests)
    }

    /// One SHA-256 over "name, size, content digest" lines in name order: adding, removing, renaming or
    /// changing any file changes it.
    static func digest(of files: [(name: String, url: URL)], digests: FileDigests) throws -> String {
        var hasher = SHA256()
        for (name, url) in files.sorted(by: { $0.name < $1.name }) {
            hasher.update("\(name)\u{0}\(try FileStamp(url.path).size)\u{0}\(try digests.sha256(of: url))\n")
        }
        return hasher.finalizeHex()
    }
}
