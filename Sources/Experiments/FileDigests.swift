import Foundation
import Tensors

/// The SHA-256 of whole files, remembered in a small JSON file (the build cache's `file-digests.json`) under
/// each file's path, size, modification and change times and inode, as build tools remember what they have
/// seen: an unchanged 4 GB checkpoint is read once, not on every build, and any write to it is seen.
public final class FileDigests: @unchecked Sendable {
    /// Where the memo is kept; nil keeps it in memory only.
    public let memoFile: URL?
    private let lock = NSLock()
    private var entries: [String: Entry]
    private var changed = false

    struct Entry: Codable, Equatable {
        var stamp: FileStamp
        var sha256: String
    }

    /// A memo that lasts as long as this value.
    public convenience init() { self.init(memoFile: nil) }

    /// Reads the memo at `memoFile`; a missing or unreadable one starts empty (every file is then hashed).
    public init(memoFile: URL?) {
        self.memoFile = memoFile
        entries = memoFile.flatMap { try? Data(contentsOf: $0) }.flatMap { try? JSONDecoder().decode([String: Entry].self, from: $0) } ?? [:]
    }

    /// The SHA-256 of the file's whole content (hex), from the memo when the file is unchanged.
    public func sha256(of url: URL) throws -> String {
        let path = url.standardizedFileURL.path
        let before = try FileStamp(path)
        lock.lock()
        let known = entries[path]
        lock.unlock()
        if let known, known.stamp == before { return known.sha256 }
        let digest = try Self.hash(url)
        // A file written again within the clock's resolution of the hashing can change without changing its
        // stamp; such a file is hashed again next time rather than remembered.
        if try FileStamp(path) == before && Date().timeIntervalSince1970 - before.modifiedSeconds > 2 {
            lock.lock()
            entries[path] = Entry(stamp: before, sha256: digest)
            changed = true
            lock.unlock()
        }
        return digest
    }

    /// Writes the memo if it learnt anything, forgetting files that are gone (atomically; the memo is only an
    /// accelerator, so a caller may ignore a failure).
    public func save() throws {
        lock.lock()
        defer { lock.unlock() }
        let existing = entries.filter { FileManager.default.fileExists(atPath: $0.key) }
        if existing.count != entries.count { entries = existing; changed = true }
        guard changed, let memoFile else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(entries), to: memoFile)
        changed = false
    }

    /// Reads the file in 4 MiB pieces: a checkpoint is never held in memory whole.
    static func hash(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }
}

/// What says a file is unchanged without reading it: size, modification and change times (ns), inode.
/// The change time cannot be set back by a program, so restoring an old modification time is seen too.
struct FileStamp: Codable, Equatable {
    var size: Int64
    var modified: Int64
    var changed: Int64
    var inode: UInt64

    var modifiedSeconds: Double { Double(modified) / 1e9 }

    init(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        size = Int64(info.st_size)
        inode = UInt64(info.st_ino)
        #if os(Linux)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #else
        modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #endif
    }
}
