/// Bounds on a config's text, checked before the YAML parser sees it: the parser recurses once per level of
/// nesting, so a file nested a few thousand levels deep (block indentation or `[[[…]]]`) overflows its stack
/// and kills the process. belm's configs nest five or six levels; anything past `maximumDepth` is refused.
enum YAMLNestingLimit {
    static let maximumDepth = 64
    /// A config is a few kilobytes; this only keeps a wrong file (a dataset, a binary) away from the parser.
    static let maximumBytes = 16 << 20

    /// Throws a `ConfigError` naming the limit (and the line where the nesting passes it).
    static func check(_ text: String, file: String) throws {
        let size = text.utf8.count
        guard size <= maximumBytes else {
            throw ConfigError(file: file, "is \(size) bytes; a belm config is a few kilobytes, and files over \(maximumBytes >> 20) MiB are refused — check that --config names the YAML file")
        }
        if let line = firstLineDeeperThanLimit(text) {
            throw ConfigError(file: file, line: line, "the YAML is nested more than \(maximumDepth) levels deep here (belm's configs need about 6); check the indentation and the brackets")
        }
    }

    /// The first line at which the nesting may pass `maximumDepth`, or nil. Each deeper indentation and each
    /// `- `/`? ` entry marker opens a block level; each `[` or `{` that starts a node, outside quotes and
    /// comments, a flow level; the lines of a `|` or `>` block scalar are text and are skipped. The count is
    /// cheap and approximate — a sequence at its parent key's column is not counted, so it can be half the
    /// parser's depth — which is far inside the thousands of levels that overflow the stack.
    static func firstLineDeeperThanLimit(_ text: String) -> Int? {
        var indents: [Int] = []          // open block levels, by the column they start at
        var flowDepth = 0
        var quote: UInt8?                // the quote character of a flow scalar spanning lines
        var blockScalarParent: Int?      // the indentation of the line that opened a block scalar
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            let isBlank = bytes.allSatisfy(Self.isSpace)
            if let parent = blockScalarParent {
                if isBlank || indent > parent { continue }
                blockScalarParent = nil
            }
            if isBlank { continue }
            var column = indent
            if flowDepth == 0 && quote == nil {
                if bytes[indent] == UInt8(ascii: "#") { continue }
                while let top = indents.last, top >= indent { indents.removeLast() }
                indents.append(indent)
                // "- - key" opens a level per marker.
                while column + 1 < bytes.count, bytes[column] == UInt8(ascii: "-") || bytes[column] == UInt8(ascii: "?"),
                      bytes[column + 1] == UInt8(ascii: " ") {
                    column += 2
                    while column < bytes.count, bytes[column] == UInt8(ascii: " ") { column += 1 }
                    indents.append(column)
                }
            }
            var previous = UInt8(ascii: " ")
            // In block context a bracket or quote is an indicator only where a node starts (the line's content,
            // or after "key: "); elsewhere it is part of a plain scalar, as in `title: don't [panic]`.
            var nodeStarts = true
            var index = column
            while index < bytes.count {
                let byte = bytes[index]
                defer { previous = byte; index += 1 }
                if let open = quote {
                    if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") { index += 1; continue }
                    if byte == open {
                        // '' inside a single-quoted scalar is an escaped quote.
                        if open == UInt8(ascii: "'") && index + 1 < bytes.count && bytes[index + 1] == open { index += 1; continue }
                        quote = nil
                    }
                    continue
                }
                if Self.isSpace(byte) { continue }
                if byte == UInt8(ascii: "#") && Self.isSpace(previous) { break }
                let opensNode = flowDepth > 0 ? Self.isSpace(previous) || "[{,:".utf8.contains(previous) : nodeStarts
                switch byte {
                case UInt8(ascii: "'") where opensNode, UInt8(ascii: "\"") where opensNode:
                    quote = byte
                case UInt8(ascii: "[") where opensNode, UInt8(ascii: "{") where opensNode:
                    flowDepth += 1
                    if indents.count + flowDepth > maximumDepth { return lineNumber }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flowDepth = max(0, flowDepth - 1)
                default:
                    break
                }
                nodeStarts = byte == UInt8(ascii: ":") && (index + 1 == bytes.count || Self.isSpace(bytes[index + 1]))
            }
            if indents.count + flowDepth > maximumDepth { return lineNumber }
            // "key: |" or "key: >-" opens a block scalar whose lines follow, indented deeper.
            if flowDepth == 0, quote == nil, Self.endsWithBlockScalarHeader(bytes) {
                blockScalarParent = indent
            }
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    /// Whether the line's value is a block scalar header: `|` or `>`, optionally with chomping (`+`, `-`) and
    /// an indentation digit, after a space or at the start of the line's content.
    private static func endsWithBlockScalarHeader(_ bytes: [UInt8]) -> Bool {
        var end = bytes.count
        // Drop a trailing comment and spaces.
        if let hash = bytes.indices.first(where: { bytes[$0] == UInt8(ascii: "#") && ($0 == 0 || bytes[$0 - 1] == UInt8(ascii: " ")) }) {
            end = hash
        }
        while end > 0, " \t\r".utf8.contains(bytes[end - 1]) { end -= 1 }
        var start = end
        while start > 0, "+-0123456789".utf8.contains(bytes[start - 1]) { start -= 1 }
        guard start > 0, bytes[start - 1] == UInt8(ascii: "|") || bytes[start - 1] == UInt8(ascii: ">") else { return false }
        return start - 1 == 0 || " \t".utf8.contains(bytes[start - 2])
    }
}
