import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension StaticFileServer {
    /// The regular file a request target names, or nil (404). A folder means its index.html. The path is
    /// percent-decoded, then resolved with every symlink followed, and must still lie under the resolved root: a
    /// symlink in the site may point elsewhere in the site, never out of it. Names starting with "." (`..`, the
    /// `.belm-site` marker) are refused both as asked and as resolved, and so are NUL, devices, FIFOs and sockets.
    func resolve(_ target: String) -> URL? {
        let pathPart = String(target.prefix { $0 != "?" && $0 != "#" })
        guard let decoded = pathPart.removingPercentEncoding, !decoded.contains("\0") else { return nil }
        let components = decoded.split(separator: "/")
        guard !components.contains(where: { $0.hasPrefix(".") }), let base = Self.realPath(root.path) else { return nil }
        guard var found = Self.realPath(components.reduce(base) { $0 + "/" + $1 }) else { return nil }
        if Self.fileType(found) == S_IFDIR {
            guard let index = Self.realPath(found + "/index.html") else { return nil }
            found = index
        }
        guard Self.fileType(found) == S_IFREG, let relative = Self.relativePath(found, under: base),
              !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { return nil }
        return URL(fileURLWithPath: found)
    }

    /// `path` with every symlink, `.` and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `path` relative to `base` when it lies under it (both resolved), else nil.
    static func relativePath(_ path: String, under base: String) -> String? {
        if base == "/" { return String(path.dropFirst()) }
        guard path.hasPrefix(base + "/") else { return nil }
        return String(path.dropFirst(base.count + 1))
    }

    /// The `S_IFMT` bits of what `path` names (symlinks followed), or nil.
    static func fileType(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }
}
