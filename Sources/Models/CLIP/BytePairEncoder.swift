/// Byte-pair encoding by merge rank over vocabulary ids: a word starts as one symbol per byte-level character
/// (the last one carrying `</w>`), then the adjacent pair with the lowest merge rank is joined, leftmost
/// first on ties, until no listed pair is left — what `tokenizers`' BPE model does for CLIP.
struct BytePairEncoder {
    private struct Merge {
        let rank: Int
        let result: Int
    }

    private let vocabulary: [String: Int]
    private let merges: [UInt64: Merge]
    private let unknownID: Int?
    static let endOfWord = "</w>"

    /// `merges` in rank order; each pair and its join must be in the vocabulary (`missing` builds the error for a line that breaks this).
    init(vocabulary: [String: Int], merges: [(String, String)], unknownID: Int?,
         missing: (_ line: Int, _ token: String) -> Error) throws {
        self.vocabulary = vocabulary
        self.unknownID = unknownID
        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            for token in [left, right, left + right] where vocabulary[token] == nil {
                throw missing(rank, token)
            }
            let key = Self.key(vocabulary[left]!, vocabulary[right]!)
            if table[key] == nil { table[key] = Merge(rank: rank, result: vocabulary[left + right]!) }
        }
        self.merges = table
    }

    private static func key(_ left: Int, _ right: Int) -> UInt64 { UInt64(left) << 32 | UInt64(UInt32(right)) }

    /// The ids of one pre-tokenised word (its UTF-8 bytes are spelled in the byte-level alphabet here).
    func encode(word: String) -> [Int] {
        let bytes = Array(word.utf8)
        var symbols: [Int] = []
        symbols.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            var character = ByteLevelAlphabet.characters[Int(byte)]
            if index == bytes.count - 1 { character += Self.endOfWord }
            // A character missing from the vocabulary becomes the unknown token, each on its own.
            if let id = vocabulary[character] ?? unknownID { symbols.append(id) }
        }
        while symbols.count > 1 {
            var best: (position: Int, merge: Merge)?
            for position in 0..<(symbols.count - 1) {
                if let merge = merges[Self.key(symbols[position], symbols[position + 1])],
                   merge.rank < (best?.merge.rank ?? Int.max) {
                    best = (position, merge)
                }
            }
            guard let best else { break }
            symbols.replaceSubrange(best.position...(best.position + 1), with: [best.merge.result])
        }
        return symbols
    }
}
