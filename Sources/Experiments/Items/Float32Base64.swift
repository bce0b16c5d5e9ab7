import Foundation

/// Float32 arrays in cached results: base64 of their little-endian bytes, compact and exact to the bit.
enum Float32Base64 {
    static func encode(_ values: [Float]) -> String {
        var data = Data(capacity: values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data.base64EncodedString()
    }

    /// The values, or nil when `text` is not base64 of exactly `count` floats.
    static func decode(_ text: String, count: Int) -> [Float]? {
        guard let data = Data(base64Encoded: text), count >= 0, data.count == count * 4 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
