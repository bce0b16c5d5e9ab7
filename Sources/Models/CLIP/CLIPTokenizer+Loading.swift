import Foundation
import Tensors

extension CLIPTokenizer {
    /// Loads from a diffusers pipeline folder (its `tokenizer/` subfolder) or from a tokenizer folder itself.
    public static func load(modelFolder: URL) throws -> CLIPTokenizer {
        for folder in [modelFolder.appendingPathComponent("tokenizer"), modelFolder] where holdsTables(folder) {
            return try load(folder: folder)
        }
        throw TensorFileError(modelFolder, "holds neither tokenizer/vocab.json (or tokenizer/tokenizer.json) nor vocab.json (or tokenizer.json); pass a diffusers Stable Diffusion folder or its tokenizer/ folder")
    }

    private static func holdsTables(_ folder: URL) -> Bool {
        ["vocab.json", "tokenizer.json"].contains { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    /// Loads vocab.json and merges.txt — or, in a folder without vocab.json, tokenizer.json's vocab and merges
    /// (current transformers saves only tokenizer.json) — with the length and special tokens from
    /// tokenizer_config.json, then special_tokens_map.json; what neither names takes transformers'
    /// CLIPTokenizer defaults, and a missing model_max_length takes CLIP's context length, 77.
    public static func load(folder: URL) throws -> CLIPTokenizer {
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        let tables: BPETables
        if !FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.json").path),
           FileManager.default.fileExists(atPath: tokenizerJSON.path) {
            tables = try BPETables.tokenizerJSON(tokenizerJSON)
        } else {
            let vocabularyURL = folder.appendingPathComponent("vocab.json")
            guard let vocabularyObject = try readJSON(vocabularyURL, required: true) as? [String: Any] else {
                throw TensorFileError(vocabularyURL, "is not a JSON object of token → id; it is not a BPE vocabulary")
            }
            tables = BPETables(vocabulary: try BPETables.vocabulary(vocabularyObject, file: vocabularyURL, field: "entry"),
                               merges: try readMerges(folder.appendingPathComponent("merges.txt")), layout: .separateFiles)
        }

        let configURL = folder.appendingPathComponent("tokenizer_config.json")
        let mapURL = folder.appendingPathComponent("special_tokens_map.json")
        let config = try readJSON(configURL, required: false) as? [String: Any] ?? [:]
        let map = try readJSON(mapURL, required: false) as? [String: Any] ?? [:]
        var specials = SpecialTokens()
        func token(_ field: String) throws -> String? {
            for (source, url) in [(config, configURL), (map, mapURL)] {
                guard let value = source[field], !(value is NSNull) else { continue }
                if let text = value as? String { return text }
                if let object = value as? [String: Any], let text = object["content"] as? String { return text }
                throw TensorFileError(url, "\(field) must be a string or an object with a \"content\" string")
            }
            return nil
        }
        if let start = try token("bos_token") { specials.start = start }
        if let end = try token("eos_token") { specials.end = end }
        if let pad = try token("pad_token") { specials.pad = pad }
        if let unknown = try token("unk_token") { specials.unknown = unknown }

        var maxLength = 77
        if let value = config["model_max_length"] {
            // transformers writes 1e30 for "no limit"; a text encoder needs an actual length.
            guard let number = value as? NSNumber, let length = Int(exactly: number.doubleValue), length >= 2, length <= 100_000 else {
                throw TensorFileError(configURL, "model_max_length \(value) is not a usable sequence length; set it to the text encoder's max_position_embeddings (77 for SD)")
            }
            maxLength = length
        }
        // Added tokens are matched in the raw text before BPE; belm does that for the special tokens only, so
        // any other (a textual-inversion word, say) would be split into pieces where transformers keeps it whole.
        let specialTexts: Set = [specials.start, specials.end, specials.pad, specials.unknown]
        var vocabulary = tables.vocabulary
        for (content, id) in tables.addedTokens.sorted(by: { $0.value < $1.value }) {
            guard specialTexts.contains(content) else {
                throw TensorFileError(tokenizerJSON, "field \"added_tokens\" adds '\(content)' (id \(id)); belm recognises only the start, end, pad and unknown tokens in prompts, and would split this one into pieces")
            }
            vocabulary[content] = id
        }
        return try CLIPTokenizer(vocabulary: vocabulary, merges: tables.merges, specialTokens: specials,
                                 maxLength: maxLength, source: folder, layout: tables.layout)
    }

    private static func readJSON(_ url: URL, required: Bool) throws -> Any? {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if required { throw TensorFileError(url, "is missing; a CLIP tokenizer folder holds vocab.json and merges.txt, or tokenizer.json") }
            return nil
        }
        do {
            return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        } catch {
            throw TensorFileError(url, "is not valid JSON (\(error.localizedDescription))")
        }
    }

    /// merges.txt: an optional `#version` line, then one `left right` pair per line in rank order.
    private static func readMerges(_ url: URL) throws -> [(String, String)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TensorFileError(url, "is missing or not UTF-8; a CLIP tokenizer folder holds vocab.json and merges.txt, or tokenizer.json")
        }
        var merges: [(String, String)] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.isEmpty || (index == 0 && line.hasPrefix("#version")) { continue }
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TensorFileError(url, "line \(index + 1) is '\(line)', not two tokens separated by one space")
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        return merges
    }
}
