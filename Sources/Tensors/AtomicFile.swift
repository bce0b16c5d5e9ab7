import Foundation

/// Every file belm writes goes through here: written beside its destination under a temporary name, then
/// renamed into place, so an interrupted run never leaves half a file where a good one was.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw TensorFileError(directory, "cannot create this folder (\(error.localizedDescription)); check that the output location is writable")
        }
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        do {
            try data.write(to: temporary)
        } catch {
            throw TensorFileError(url, "cannot be written (\(error.localizedDescription)); check that the output folder is writable")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TensorFileError(url, "cannot be moved into place (\(reason))")
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
