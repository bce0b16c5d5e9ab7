import Foundation

/// The config as the reproducibility page shows it: every absolute path in it (`/…`, `~/…`, `gmm:/…`, in
/// values, `fetch:` commands and comments alike) is written relative to the config's folder, so the page
/// tells a reader how the files sit beside each other without telling the world where they sat on the
/// machine that built it. A path with nothing but `/` or a folder above the home directory in common with
/// the config's folder is shown by its last name alone: the way up to it would name the machine's folders.
enum PublishedPaths {
    /// Absolute paths as tokens: after a line start, space, quote, bracket, comma, `=`, `:` or `(`; a `//`
    /// (a URL's) is not one.
    private static let pattern = try! NSRegularExpression(
        pattern: #"(?:^|(?<=[\s'"\[,=:(]))(~?/(?!/)[^\s'",\]\}#]+)"#, options: [.anchorsMatchLines])

    static func text(_ text: String, configDirectory: String,
                     home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String {
        let source = text as NSString
        var result = ""
        var last = 0
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: source.length)) {
            let range = match.range(at: 1)
            result += source.substring(with: NSRange(location: last, length: range.location - last))
            result += path(source.substring(with: range), from: configDirectory, home: home)
            last = range.location + range.length
        }
        return result + source.substring(from: last)
    }

    /// `path` as seen from the folder `base`.
    static func path(_ path: String, from base: String, home: String?) -> String {
        let homeComponents = home.map { components(URL(fileURLWithPath: $0).standardizedFileURL.path) }
        var expanded = path
        if expanded.hasPrefix("~/") {
            guard let home else { return URL(fileURLWithPath: String(path.dropFirst(2))).lastPathComponent }
            expanded = home + expanded.dropFirst(1)
        }
        let target = components(URL(fileURLWithPath: expanded).standardizedFileURL.path)
        let from = components(URL(fileURLWithPath: base).standardizedFileURL.path)
        let common = zip(target, from).prefix { $0 == $1 }.count
        let revealsAbove = common == 0 || homeComponents.map { common < $0.count && Array(target.prefix(common)) == Array($0.prefix(common)) } == true
        if revealsAbove { return target.last ?? "." }
        let relative = Array(repeating: "..", count: from.count - common) + target.dropFirst(common)
        return relative.isEmpty ? "." : relative.joined(separator: "/")
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
