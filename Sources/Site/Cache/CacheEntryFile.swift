import Experiments
import Foundation

/// The bytes of one cache entry: a header line with the format, the SHA-256 and the length of the payload,
/// then the payload (JSON). A file cut short by a full disk or a killed copy, or changed by a bad disk,
/// fails the check and is recomputed.
///
///     belm-cache-entry 4 sha256=<64 hex> bytes=<n>\n<payload>
enum CacheEntryFile {
    static let magic = "belm-cache-entry"

    struct Damage: Error {
        let reason: String
    }

    static func contents(payload: Data) -> Data {
        var hasher = SHA256()
        hasher.update(payload)
        let header = "\(magic) \(ResultCache.format) sha256=\(hasher.finalizeHex()) bytes=\(payload.count)\n"
        return Data(header.utf8) + payload
    }

    static func payload(of data: Data) throws -> Data {
        guard let newline = data.prefix(256).firstIndex(of: UInt8(ascii: "\n")),
              let header = String(data: data[data.startIndex..<newline], encoding: .utf8) else {
            throw Damage(reason: "has no header line (not a belm cache entry, or cut short)")
        }
        let fields = header.split(separator: " ")
        guard fields.count == 4, fields[0] == magic, fields[1] == String(ResultCache.format),
              fields[2].hasPrefix("sha256="), fields[3].hasPrefix("bytes="), let length = Int(fields[3].dropFirst(6)) else {
            throw Damage(reason: "has a header this belm does not read: \(header.prefix(80))")
        }
        let payload = data[(newline + 1)...]
        guard payload.count == length else {
            throw Damage(reason: "is truncated or padded: \(payload.count) bytes of payload where its header says \(length)")
        }
        var hasher = SHA256()
        hasher.update(Data(payload))
        guard hasher.finalizeHex() == fields[2].dropFirst(7) else {
            throw Damage(reason: "fails its checksum (its contents changed after it was written)")
        }
        return Data(payload)
    }
}
