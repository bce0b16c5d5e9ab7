import Foundation
import Tensors

/// CLIP's byte-level BPE tokenizer as Stable Diffusion's `tokenizer/` folder describes it (vocab.json and
/// merges.txt, or tokenizer.json; tokenizer_config.json, special_tokens_map.json), giving the ids transformers 5's
/// `CLIPTokenizer` gives with `padding="max_length", truncation=True` — what diffusers' pipelines call.
///
/// Behaviour chosen on purpose: transformers 5's, not OpenAI's original — no ftfy or HTML unescaping (see
/// `CLIPPreTokenizer`). Special tokens written in a prompt (`<|endoftext|>`, or the pad token when the config
/// names another one, such as SD2's `!`) are recognised in the raw text, case-sensitively, before clean-up,
/// and become their own ids; transformers matches the start token after lower-casing instead, so only a
/// differently cased `<|STARTOFTEXT|>` tokenises differently.
public struct CLIPTokenizer: Sendable {
    /// Sequence length every encoding is truncated or padded to (`model_max_length`, 77 for SD).
    public let maxLength: Int
    public let startID: Int
    public let endID: Int
    public let padID: Int
    private let encoder: BytePairEncoder
    /// Special tokens recognised in raw text, longest first so that the longest match wins.
    private let specialTokens: [(text: String, id: Int)]

    /// One prompt's ids and whether it had to be cut to fit.
    public struct Encoding: Equatable, Sendable {
        /// Exactly `maxLength` ids: start, the prompt's tokens, end, then padding.
        public var ids: [Int]
        /// Ids the prompt needs with its start and end tokens before truncation.
        public var untruncatedCount: Int
        public var isTruncated: Bool { untruncatedCount > ids.count }
    }

    public struct SpecialTokens: Sendable {
        public var start = "<|startoftext|>"
        public var end = "<|endoftext|>"
        public var pad = "<|endoftext|>"
        public var unknown = "<|endoftext|>"
        public init() {}
    }

    /// `merges` in rank order. Throws when a merge or special token is missing from the vocabulary; the error
    /// names the file in `source` that `layout` says the table came from.
    public init(vocabulary: [String: Int], merges: [(String, String)], specialTokens: SpecialTokens = .init(),
                maxLength: Int = 77, source: URL = URL(fileURLWithPath: "tokenizer")) throws {
        try self.init(vocabulary: vocabulary, merges: merges, specialTokens: specialTokens, maxLength: maxLength,
                      source: source, layout: .separateFiles)
    }

    init(vocabulary: [String: Int], merges: [(String, String)], specialTokens: SpecialTokens,
         maxLength: Int, source: URL, layout: BPETables.Layout) throws {
        guard maxLength >= 2 else {
            throw TensorFileError(source.appendingPathComponent("tokenizer_config.json"),
                                  "model_max_length \(maxLength) leaves no room for the start and end tokens; SD uses 77")
        }
        func id(_ token: String, _ field: String) throws -> Int {
            guard let id = vocabulary[token] else {
                throw TensorFileError(source.appendingPathComponent(layout.vocabularyFile),
                                      "\(layout.vocabularyName) has no entry for the \(field) '\(token)' named by tokenizer_config.json; the files belong to different tokenizers")
            }
            return id
        }
        startID = try id(specialTokens.start, "bos_token")
        endID = try id(specialTokens.end, "eos_token")
        padID = try id(specialTokens.pad, "pad_token")
        let unknownID = try id(specialTokens.unknown, "unk_token")
        self.maxLength = maxLength
        let mergesURL = source.appendingPathComponent(layout.mergesFile)
        encoder = try BytePairEncoder(vocabulary: vocabulary, merges: merges, unknownID: unknownID) { rank, token in
            TensorFileError(mergesURL, "\(layout.mergesName): merge \(rank + 1) makes or uses '\(token)', which \(layout.vocabularyName) lacks; the files belong to different tokenizers")
        }
        var specials: [String: Int] = [:]
        for (token, id) in [(specialTokens.start, startID), (specialTokens.end, endID),
                            (specialTokens.pad, padID), (specialTokens.unknown, unknownID)] {
            specials[token] = id
        }
        self.specialTokens = specials.map { ($0.key, $0.value) }
            .sorted { ($0.text.unicodeScalars.count, $0.text) > ($1.text.unicodeScalars.count, $1.text) }
    }

    /// The prompt's token ids, without start and end tokens and without truncation.
    public func tokenize(_ text: String) -> [Int] {
        var ids: [Int] = []
        for segment in segments(of: text) {
            switch segment {
            case .special(let id): ids.append(id)
            case .text(let stretch):
                for word in CLIPPreTokenizer.words(of: stretch) { ids += encoder.encode(word: word) }
            }
        }
        return ids
    }

    /// Start + tokens + end, truncated to `maxLength` with the end token kept, padded with the pad token.
    public func encode(_ prompt: String) -> Encoding {
        let tokens = tokenize(prompt)
        var ids = [startID] + tokens.prefix(maxLength - 2) + [endID]
        ids += [Int](repeating: padID, count: maxLength - ids.count)
        return Encoding(ids: ids, untruncatedCount: tokens.count + 2)
    }

    private enum Segment {
        case text(String)
        case special(Int)
    }

    /// Splits raw text around the special tokens written in it (leftmost match, longest token first).
    private func segments(of text: String) -> [Segment] {
        let scalars = Array(text.unicodeScalars)
        let candidates = specialTokens.map { (Array($0.text.unicodeScalars), $0.id) }
        var segments: [Segment] = []
        var pending = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            if let (token, id) = candidates.first(where: { scalars[i...].starts(with: $0.0) }) {
                if !pending.isEmpty { segments.append(.text(String(pending))); pending = .init() }
                segments.append(.special(id))
                i += token.count
            } else {
                pending.append(scalars[i])
                i += 1
            }
        }
        if !pending.isEmpty { segments.append(.text(String(pending))) }
        return segments
    }
}
