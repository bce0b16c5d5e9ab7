import Foundation
import Models

/// The files a build reads or keeps (the config, its pages, templates, images and model folders, the cache)
/// must lie outside the output folder: a build replaces that folder as a whole, so anything inside it would
/// be deleted, and a cache inside it would be wiped by every build.
enum SiteSources {
    /// Refuses, before anything is written, an `output` that holds one of the build's own files.
    static func checkOutsideOutput(_ output: URL, config: SiteConfig, cache: URL) throws {
        let outside = realPath(output.path)
        for (what, path) in sources(of: config, cache: cache) {
            let resolved = realPath(path)
            guard resolved == outside || resolved.hasPrefix(outside == "/" ? "/" : outside + "/") else { continue }
            throw SiteWriteError(path: output.path, reason: "the output folder (--out) holds \(what), \(path), and a build replaces the whole output folder, which would delete it; nothing was written; pass an --out that holds none of the build's files (e.g. _site beside the config's folder)")
        }
    }

    /// What a build reads or keeps, each named for the message.
    static func sources(of config: SiteConfig, cache: URL) -> [(String, String)] {
        var found: [(String, String)] = [
            ("the config", URL(fileURLWithPath: config.file).standardizedFileURL.path),
            ("the cache folder", cache.path),
            ("the pages folder (`pages:`)", config.pagesDirectory),
            ("the templates folder (`templates:`)", config.templatesDirectory),
        ]
        for model in config.models {
            guard let folder = (try? ModelReference(parsing: model.source))?.folder else { continue }
            found.append(("the folder of model '\(model.name)'", folder))
        }
        for spec in config.experiments {
            if let images = spec.request.images { found.append(("the `images:` folder of experiment '\(spec.request.name)'", images)) }
        }
        return found
    }

    /// The path with every symbolic link and `..` resolved; the part that does not exist yet is kept as
    /// written below its nearest existing folder.
    static func realPath(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        var existing = absolute
        var missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.path != "/" {
            missing.insert(existing.lastPathComponent, at: 0)
            existing = existing.deletingLastPathComponent()
        }
        guard let resolved = realpath(existing.path, nil) else { return absolute.path }
        defer { free(resolved) }
        var result = URL(fileURLWithPath: String(cString: resolved))
        for component in missing { result.appendPathComponent(component) }
        return result.standardizedFileURL.path
    }
}
