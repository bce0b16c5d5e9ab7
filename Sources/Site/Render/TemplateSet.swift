import Foundation
import Mustache

/// The templates a build renders with: belm's built-in `Templates/` folder, where a file of the same name
/// under the site's `pages/templates/` replaces the built-in one, and every `pages/*.md.mustache` is an
/// extra page.
struct TemplateSet {
    /// Markdown page templates by name (`index`, `sampling`, …, and extra pages), already parsed.
    private(set) var pages: [String: MustacheTemplate] = [:]
    let layout: MustacheTemplate
    /// Names of the extra pages, sorted.
    let extraPages: [String]
    /// Asset files (relative path → bytes): built-in `assets/`, then the site's `pages/assets/` on top.
    let assets: [String: Data]

    static let pageSuffix = ".md.mustache"
    static let layoutName = "layout.html.mustache"

    init(builtIn: String, overrides: String, pagesDirectory: String, needed: [String]) throws {
        _ = MarkdownEscaping.registered
        let files = FileManager.default
        var isFolder: ObjCBool = false
        guard files.fileExists(atPath: builtIn, isDirectory: &isFolder), isFolder.boolValue else {
            throw ConfigError(file: builtIn, "templates folder not found; set `templates:` in the config to belm's Templates/ folder")
        }
        func locate(_ name: String) -> String? {
            for folder in [overrides, builtIn] {
                let path = folder + "/" + name
                if files.fileExists(atPath: path) { return path }
            }
            return nil
        }
        func parse(_ path: String, markdown: Bool) throws -> MustacheTemplate {
            guard let data = files.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, "cannot be read as UTF-8 text")
            }
            do {
                // Page templates produce Markdown, so values are escaped for Markdown (see MarkdownEscaping).
                return try MustacheTemplate(string: (markdown ? MarkdownEscaping.pragma : "") + text)
            } catch let error as MustacheTemplate.ParserError {
                throw ConfigError(file: path, line: error.context.lineNumber, column: error.context.columnNumber,
                                  "template syntax: \(error.error); check that every {{#section}} has its {{/section}}")
            }
        }
        guard let layoutPath = locate(Self.layoutName) else {
            throw ConfigError(file: builtIn + "/" + Self.layoutName, "missing template; restore it from belm's Templates/ folder")
        }
        layout = try parse(layoutPath, markdown: false)
        for name in needed {
            guard let path = locate(name + Self.pageSuffix) else {
                throw ConfigError(file: builtIn + "/" + name + Self.pageSuffix, "missing template for the '\(name)' page; restore it from belm's Templates/ folder or add it under \(overrides)")
            }
            pages[name] = try parse(path, markdown: true)
        }
        let extra = ((try? files.contentsOfDirectory(atPath: pagesDirectory)) ?? [])
            .filter { $0.hasSuffix(Self.pageSuffix) }
            .map { String($0.dropLast(Self.pageSuffix.count)) }
            .sorted()
        for name in extra {
            guard name.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil, pages[name] == nil else {
                throw ConfigError(file: pagesDirectory + "/" + name + Self.pageSuffix, "page names must be lower-case letters, digits and '-', and not clash with a built-in page or an experiment; rename the file")
            }
            pages[name] = try parse(pagesDirectory + "/" + name + Self.pageSuffix, markdown: true)
        }
        extraPages = extra
        var assets: [String: Data] = [:]
        for folder in [builtIn + "/assets", pagesDirectory + "/assets"] {
            for (relative, data) in try Self.files(under: folder) { assets[relative] = data }
        }
        self.assets = assets
    }

    private static func files(under folder: String) throws -> [(String, Data)] {
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [(String, Data)] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            if relative.hasPrefix(".") { continue }
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ConfigError(file: url.path, "cannot be read; check its permissions")
            }
            found.append(("assets/" + relative, data))
        }
        return found
    }
}

/// A Mustache content type for Markdown templates: `{{value}}` is escaped for Markdown and HTML both.
struct MarkdownEscaping: MustacheContentType {
    static let name = "BELM_MARKDOWN"
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"
    static let registered: Void = MustacheContentTypes.register(MarkdownEscaping(), named: name)

    func escapeText(_ text: String) -> String { HTMLText.escapeMarkdown(text) }
}
