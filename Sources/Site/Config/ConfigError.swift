/// A mistake in the site's config or its templates, said the way a compiler says it:
/// `site/belm.yml:12:5: error: unknown key 'stepz' in experiment 'sampling'; did you mean 'steps'?`
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let file: String
    /// 1-based; nil when the mistake is about the whole file (it is missing, say).
    public let line: Int?
    public let column: Int?
    public let message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let line, let column, line > 0 { location += ":\(column)" }
        return "\(location): error: \(message)"
    }
}

/// Suggests the closest known word for a misspelt one ("stepz" → "steps"), if any is close.
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        if let match = closest(to: word, among: candidates) { return "; did you mean '\(match)'?" }
        return "; expected one of: " + candidates.joined(separator: ", ")
    }

    /// Levenshtein distance.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
