/// GPT-2's and CLIP's reversible map from the 256 byte values to printable characters (`bytes_to_unicode`):
/// printable Latin-1 bytes stand for themselves, the rest are shifted to U+0100 and up in byte order.
/// BPE vocabularies are written in these characters, so a word's UTF-8 bytes are spelled with them first.
enum ByteLevelAlphabet {
    static let characters: [String] = {
        let printable = Array(UInt32(0x21)...0x7E) + Array(UInt32(0xA1)...0xAC) + Array(UInt32(0xAE)...0xFF)
        var scalars = [UInt32](repeating: 0, count: 256)
        for byte in printable { scalars[Int(byte)] = byte }
        var next: UInt32 = 256
        for byte in 0..<256 where !printable.contains(UInt32(byte)) {
            scalars[byte] = next
            next += 1
        }
        return scalars.map { String(Unicode.Scalar($0)!) }
    }()
}
