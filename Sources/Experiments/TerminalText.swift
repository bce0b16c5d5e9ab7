extension String {
    /// This text as it may be printed to a terminal: control characters are written out as `\u{1B}` rather than
    /// sent, so that a file name or config value cannot move the cursor, clear the screen or retitle the window.
    /// Newline and tab stay as they are; escaped are the other C0 controls (carriage return and ESC among them),
    /// DEL, the C1 controls (U+0080–U+009F, which some terminals obey as ESC sequences) and the bidirectional
    /// overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what follows them on the line so that a
    /// name can show as something it is not.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isTerminalControl) else { return self }
        var escaped = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar.isTerminalControl {
                escaped.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}

private extension Unicode.Scalar {
    var isTerminalControl: Bool {
        switch value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
