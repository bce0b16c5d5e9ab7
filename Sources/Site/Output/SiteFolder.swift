import Foundation

/// The output folder, replaced as a whole: the new site is written into a hidden sibling folder and then
/// swapped in, so an interrupted or failed build leaves the previous site exactly as it was.
enum SiteFolder {
    /// Marks a folder as written by `belm build`, so a build never deletes a folder it did not make.
    static let marker = ".belm-site"

    /// Checks, before any experiment runs, that `output` can be (re)placed.
    static func checkWritable(_ output: URL) throws {
        let files = FileManager.default
        let parent = output.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: output.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw SiteWriteError(path: output.path, reason: "exists and is a file, not a folder; pass another --out")
            }
            let contents = (try? files.contentsOfDirectory(atPath: output.path)) ?? []
            guard contents.isEmpty || contents.contains(marker) else {
                throw SiteWriteError(path: output.path, reason: "is a folder that `belm build` did not write (no \(marker) file), and building would replace it; pass an empty or new --out folder")
            }
        }
        do {
            try files.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw SiteWriteError(path: parent.path, reason: "cannot create the folder the site goes in (\(error.localizedDescription)); pass a writable --out")
        }
        guard access(parent.path, W_OK | X_OK) == 0 else {
            throw SiteWriteError(path: parent.path, reason: "is not writable, so the site cannot be written there; pass a writable --out")
        }
    }

    /// Writes `site` to a fresh folder beside `output`, then swaps it in.
    static func replace(_ output: URL, with site: SiteFiles) throws {
        try checkWritable(output)
        let files = FileManager.default
        let parent = output.deletingLastPathComponent()
        removeLeftovers(of: output)
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).building-\(getpid())")
        try? files.removeItem(at: staging)
        do {
            try files.createDirectory(at: staging, withIntermediateDirectories: false)
            try site.write(into: staging)
            try Data("written by belm build; the whole folder is replaced on the next build\n".utf8)
                .write(to: staging.appendingPathComponent(marker))
        } catch {
            try? files.removeItem(at: staging)
            if let error = error as? SiteWriteError { throw error }
            throw SiteWriteError(path: staging.path, reason: "cannot write the new site (\(error.localizedDescription)); the previous site is unchanged")
        }
        if files.fileExists(atPath: output.path) {
            // Linux swaps two paths in one step; elsewhere the old folder is moved aside first.
            if exchange(staging.path, output.path) {
                try? files.removeItem(at: staging)
                return
            }
            let previous = parent.appendingPathComponent(".\(output.lastPathComponent).previous-\(getpid())")
            try? files.removeItem(at: previous)
            guard rename(output.path, previous.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? files.removeItem(at: staging)
                throw SiteWriteError(path: output.path, reason: "cannot be replaced (\(reason)); the previous site is unchanged")
            }
            guard rename(staging.path, output.path) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = rename(previous.path, output.path)
                throw SiteWriteError(path: output.path, reason: "cannot be replaced (\(reason)); the previous site was put back")
            }
            try? files.removeItem(at: previous)
        } else {
            guard rename(staging.path, output.path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? files.removeItem(at: staging)
                throw SiteWriteError(path: output.path, reason: "cannot be created (\(reason))")
            }
        }
    }

    /// Folders a killed build left beside `output` (`.NAME.building-PID`, `.NAME.previous-PID` of a process
    /// that no longer runs).
    static func removeLeftovers(of output: URL) {
        let parent = output.deletingLastPathComponent()
        let prefixes = [".\(output.lastPathComponent).building-", ".\(output.lastPathComponent).previous-"]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] {
            guard let prefix = prefixes.first(where: { entry.hasPrefix($0) }), let pid = Int32(entry.dropFirst(prefix.count)) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    private typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// renameat2(…, RENAME_EXCHANGE): swaps two paths atomically on Linux. Looked up at run time because
    /// Swift's Glibc module does not declare it; false where it is missing or refused (then two renames).
    private static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: Renameat2.self)
        let atFDCWD: Int32 = -100, renameExchange: UInt32 = 2
        return a.withCString { pa in b.withCString { pb in renameat2(atFDCWD, pa, atFDCWD, pb, renameExchange) } } == 0
        #else
        return false
        #endif
    }
}
