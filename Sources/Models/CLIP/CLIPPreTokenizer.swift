import Foundation

/// Text clean-up and word splitting of transformers' CLIPTokenizer (transformers 5, backed by `tokenizers`):
///
/// 1. normalise: Unicode NFC, every run of whitespace (the Unicode White_Space property, as the regex `\s`)
///    becomes one space, then each scalar is lower-cased on its own (its full lower-case mapping, no context:
///    a final capital sigma becomes σ, İ becomes i + U+0307);
/// 2. split with CLIP's pattern
///    `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`,
///    keeping the matches (a letter run, one digit, a contraction, a run of anything else but spaces);
/// 3. byte-level split with GPT-2's pattern, which only changes the `<|…|>` literals: they fall apart into
///    `<|`, the letters and `|>`.
///
/// OpenAI's original tokenizer also ran `ftfy.fix_text` and `html.unescape` first; transformers 5 no longer
/// does, and belm follows transformers 5 on purpose (the golden ids come from it): curly quotes, HTML
/// entities, mojibake, fullwidth text and ligatures are tokenised as written.
enum CLIPPreTokenizer {
    /// The words of one stretch of text that holds no special token, in order.
    static func words(of text: String) -> [String] {
        let scalars = normalize(text)
        var words: [String] = []
        split(scalars[...], into: &words, recognisingSpecialLiterals: true)
        return words
    }

    static func normalize(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        var inWhitespace = false
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !inWhitespace { out.append(" ") }
                inWhitespace = true
                continue
            }
            inWhitespace = false
            out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return out
    }

    private static let contractions: [[Unicode.Scalar]] = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map { Array($0.unicodeScalars) }
    private static let specialLiterals: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map { Array($0.unicodeScalars) }

    private static func split(_ text: ArraySlice<Unicode.Scalar>, into words: inout [String], recognisingSpecialLiterals: Bool) {
        var i = text.startIndex
        while i < text.endIndex {
            let rest = text[i...]
            if recognisingSpecialLiterals, let literal = specialLiterals.first(where: { rest.starts(with: $0) }) {
                // The first pattern keeps the literal whole; the byte-level pattern then splits it as plain text.
                split(rest.prefix(literal.count), into: &words, recognisingSpecialLiterals: false)
                i += literal.count
                continue
            }
            if let contraction = contractions.first(where: { rest.starts(with: $0) }) {
                words.append(string(rest.prefix(contraction.count)))
                i += contraction.count
                continue
            }
            let scalar = text[i]
            if isLetter(scalar) {
                let end = rest.firstIndex { !isLetter($0) } ?? text.endIndex
                words.append(string(text[i..<end]))
                i = end
            } else if isNumber(scalar) {
                words.append(String(scalar))
                i += 1
            } else if scalar.properties.isWhitespace {
                i += 1
            } else {
                let end = rest.firstIndex { $0.properties.isWhitespace || isLetter($0) || isNumber($0) } ?? text.endIndex
                words.append(string(text[i..<end]))
                i = end
            }
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    private static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
