import Foundation
import Tensors

/// The vocabulary and merges of a CLIP tokenizer, and where they came from (for error messages).
struct BPETables {
    /// How the files of a tokenizer folder hold the tables.
    enum Layout: Sendable {
        /// vocab.json (token → id) and merges.txt (one "left right" pair a line): the slow tokenizer's files.
        case separateFiles
        /// tokenizer.json's `model.vocab` and `model.merges`: what current transformers saves, often alone.
        case tokenizerJSON

        var vocabularyFile: String { self == .separateFiles ? "vocab.json" : "tokenizer.json" }
        var mergesFile: String { self == .separateFiles ? "merges.txt" : "tokenizer.json" }
        /// The vocabulary as an error names it: "vocab.json", or "tokenizer.json's model.vocab".
        var vocabularyName: String { self == .separateFiles ? "vocab.json" : "tokenizer.json's model.vocab" }
        var mergesName: String { self == .separateFiles ? "merges.txt" : "tokenizer.json's model.merges" }
    }

    var vocabulary: [String: Int]
    var merges: [(String, String)]
    /// Tokens the file adds beside the vocabulary (tokenizer.json's `added_tokens`), content → id.
    var addedTokens: [String: Int] = [:]
    var layout: Layout

    /// Ids are bounded so that every later use (the encoder's pair keys, an embedding row) is in range.
    static let ids = 0...Int(Int32.max)

    /// A token → id object, each id a whole number in `ids`; `field` says where in `file` an error is.
    static func vocabulary(_ object: [String: Any], file: URL, field: String) throws -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(object.count)
        for (token, value) in object {
            guard let id = HeaderSizes.wholeNumber(value), ids.contains(id) else {
                throw TensorFileError(file, "\(field) '\(token)' has id \(HeaderSizes.describe(value)), not an integer between 0 and \(ids.upperBound)")
            }
            vocabulary[token] = id
        }
        return vocabulary
    }

    /// tokenizer.json as the `tokenizers` library writes it: a BPE `model` with CLIP's settings (words end in
    /// `</w>`, no continuation prefix), its `vocab` and `merges` (either "left right" strings or [left, right]
    /// pairs; both are in the wild), and `added_tokens` with their ids.
    static func tokenizerJSON(_ url: URL) throws -> BPETables {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        } catch {
            throw TensorFileError(url, "is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = root as? [String: Any], let model = object["model"] as? [String: Any] else {
            throw TensorFileError(url, "has no \"model\" object; it is not a tokenizers tokenizer.json")
        }
        if let type = model["type"], type as? String != "BPE" {
            throw TensorFileError(url, "field \"model.type\" is \(HeaderSizes.describe(type)); belm's CLIP tokenizer reads BPE models only")
        }
        // CLIP marks the end of a word with "</w>" (GPT-2's byte-level BPE, with the same alphabet, has none) and
        // continues words with no prefix; another setting is another tokenizer, whose ids belm would get wrong.
        let settings: [(field: String, expected: String, nullAllowed: Bool)] = [
            ("end_of_word_suffix", BytePairEncoder.endOfWord, false), ("continuing_subword_prefix", "", true),
        ]
        for (field, expected, nullAllowed) in settings {
            guard let value = model[field], !(nullAllowed && value is NSNull) else { continue }
            guard value as? String == expected else {
                throw TensorFileError(url, "field \"model.\(field)\" is \(HeaderSizes.describe(value)); a CLIP tokenizer has \(HeaderSizes.describe(expected))")
            }
        }
        guard let vocabularyObject = model["vocab"] as? [String: Any] else {
            throw TensorFileError(url, "field \"model.vocab\" is missing or not an object of token → id")
        }
        let vocabulary = try vocabulary(vocabularyObject, file: url, field: "field \"model.vocab\" entry")
        guard let mergeValues = model["merges"] as? [Any] else {
            throw TensorFileError(url, "field \"model.merges\" is missing or not an array of merges")
        }
        let merges = try mergeValues.enumerated().map { index, value -> (String, String) in
            if let text = value as? String {
                let parts = text.split(separator: " ", omittingEmptySubsequences: false)
                if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty { return (String(parts[0]), String(parts[1])) }
            } else if let pair = value as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String,
                      !left.isEmpty, !right.isEmpty {
                return (left, right)
            }
            throw TensorFileError(url, "field \"model.merges\" entry \(index) is \(HeaderSizes.describe(value)); a merge is \"left right\" or [\"left\", \"right\"]")
        }
        var added: [String: Int] = [:]
        let addedValue = object["added_tokens"].flatMap { $0 is NSNull ? nil : $0 } ?? [Any]()
        guard let addedValues = addedValue as? [Any] else {
            throw TensorFileError(url, "field \"added_tokens\" must be an array of {\"id\", \"content\"} objects")
        }
        for (index, value) in addedValues.enumerated() {
            guard let entry = value as? [String: Any], let content = entry["content"] as? String,
                  let id = HeaderSizes.wholeNumber(entry["id"]), ids.contains(id) else {
                throw TensorFileError(url, "field \"added_tokens\" entry \(index) is not an object with a \"content\" string and an integer \"id\"")
            }
            if let listed = vocabulary[content], listed != id {
                throw TensorFileError(url, "field \"added_tokens\" gives '\(content)' id \(id), but model.vocab gives it \(listed); the file is inconsistent")
            }
            added[content] = id
        }
        return BPETables(vocabulary: vocabulary, merges: merges, addedTokens: added, layout: .tokenizerJSON)
    }
}
