import Experiments
import Foundation

/// The cache folder's upkeep, done before any experiment runs: it must be writable (found out now, not after
/// an hour of experiments), and temporaries that a killed build left behind are cleared.
extension ResultCache {
    /// The file digests earlier builds remembered here (see `FileDigests`).
    public func loadFileDigests() -> FileDigests { FileDigests(memoFile: folder.appendingPathComponent("file-digests.json")) }

    /// Creates the folder and writes and removes a probe file in it.
    public func checkWritable() throws {
        let probe = folder.appendingPathComponent(".probe-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data().write(to: probe)
            try FileManager.default.removeItem(at: probe)
        } catch {
            throw SiteWriteError(path: folder.path, reason: "the cache folder cannot be written (\(Self.reason(error, folder: folder))); nothing was run; pass a writable --cache folder")
        }
    }

    /// How long a temporary may stand before it is taken for dead whatever its process id says (the id may
    /// have been reused by another process since).
    static let temporaryLifetime: TimeInterval = 6 * 3600

    /// Removes `.NAME.partial-PID` files (see `AtomicFile`) and `.NAME.partial-HOST-PID` files (cache entries)
    /// whose process no longer runs, or that are older than `temporaryLifetime`. A temporary of another
    /// machine sharing the folder is judged by its age alone: its process cannot be seen from here.
    /// Returns the names removed.
    @discardableResult
    public func removeDeadTemporaries(now: Date = Date()) -> [String] {
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] {
            guard name.hasPrefix("."), let marker = name.range(of: ".partial-", options: .backwards) else { continue }
            // `PID`, or `HOST-PID` (the host may itself hold '-').
            let fields = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
            guard let last = fields.last, let pid = Int32(last) else { continue }
            let host = fields.count > 1 ? fields.dropLast().joined(separator: "-") : nil
            let url = folder.appendingPathComponent(name)
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? now
            let here = host == nil || host == Self.hostTag
            let dead = here && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            if dead || now.timeIntervalSince(modified) > Self.temporaryLifetime {
                if (try? FileManager.default.removeItem(at: url)) != nil { removed.append(name) }
            }
        }
        return removed.sorted()
    }

    /// Why `folder` cannot be written, in words: Foundation's messages for this are only error numbers.
    private static func reason(_ error: any Error, folder: URL) -> String {
        var existing = folder
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" { existing = existing.deletingLastPathComponent() }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: existing.path, isDirectory: &isFolder), !isFolder.boolValue {
            return "\(existing.path) is a file, not a folder"
        }
        if access(existing.path, W_OK | X_OK) != 0 { return "\(existing.path) is not writable" }
        return error.localizedDescription
    }
}
