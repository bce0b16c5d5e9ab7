import Foundation
@testable import Site

/// Checks a built site the way a browser and a static host would see it.
enum SiteChecks {
    static func files(under root: URL) -> [String] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        var found: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            found.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
        }
        return found.sorted()
    }

    /// Every href/src of every page: local ones must exist; remote assets and root-absolute links are problems.
    static func linkProblems(in root: URL) -> [String] {
        var problems: [String] = []
        for page in files(under: root) where page.hasSuffix(".html") {
            let html = try! String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
            let pattern = try! NSRegularExpression(pattern: "(?:href|src)=\"([^\"]*)\"")
            for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
                let target = String(html[Range(match.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
                if target.hasPrefix("#") || target.hasPrefix("mailto:") { continue }
                if target.hasPrefix("http:") || target.hasPrefix("https:") || target.hasPrefix("//") { problems.append("\(page): remote \(target)"); continue }
                if target.hasPrefix("/") { problems.append("\(page): root-absolute \(target)"); continue }
                let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let file = root.appendingPathComponent(page).deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                if !FileManager.default.fileExists(atPath: file.path) { problems.append("\(page): broken \(target)") }
            }
        }
        return problems
    }

    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    /// A strict well-formedness check: every non-void element is closed, in order. belm's pages (cmark's
    /// output included) always close their elements, so any mismatch is a broken page.
    static func htmlProblems(_ html: String) -> [String] {
        var stack: [String] = []
        var problems: [String] = []
        var text = html
        for (open, close) in [("<!--", "-->"), ("<script", "</script>"), ("<style", "</style>")] {
            while let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex) {
                text.replaceSubrange(start.lowerBound..<end.upperBound, with: "")
            }
        }
        let tag = try! NSRegularExpression(pattern: "<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\"[^\"]*\"|'[^']*'|[^'\">])*)>")
        for match in tag.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let closing = !Range(match.range(at: 1), in: text)!.isEmpty
            let name = text[Range(match.range(at: 2), in: text)!].lowercased()
            let rest = text[Range(match.range(at: 3), in: text)!]
            if name == "!doctype" || voidElements.contains(name) || rest.hasSuffix("/") { continue }
            if closing {
                guard let top = stack.popLast() else { problems.append("</\(name)> closes nothing"); continue }
                if top != name { problems.append("</\(name)> closes <\(top)>") }
            } else {
                stack.append(name)
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack.joined(separator: " "))") }
        return problems
    }

    /// Runs scripts/check_site.py (the independent Python checker) when python3 and the script are present; nil otherwise.
    static func runPythonChecker(_ root: URL) -> (status: Int32, output: String)? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/check_site.py").standardizedFileURL
        guard FileManager.default.fileExists(atPath: script.path),
              let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script.path, root.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try? process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output)
    }
}
