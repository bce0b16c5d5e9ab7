import Foundation

/// Escaping for text that goes into HTML or Markdown the site generates.
enum HTMLText {
    /// Safe in element content and in double- or single-quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// For values spliced into Markdown templates: Markdown punctuation is backslash-escaped so a prompt
    /// like "a *red* car" stays literal, then the text is HTML-escaped so no markup gets through cmark.
    static func escapeMarkdown(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_[]{}()#+-.!|~".contains(character) { out.append("\\") }
            out.append(character)
        }
        return escape(out)
    }

    /// Numbers as tables show them: 4 significant digits, scientific notation when very small or large.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e5 {
            let formatted = String(format: "%.4g", value)
            return formatted
        }
        return String(format: "%.3e", value)
    }
}
