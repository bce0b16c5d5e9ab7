import CCrypto

/// SHA-256, for content-addressed cache keys and model digests, through OpenSSL's libcrypto (Debian's
/// libssl-dev): whole checkpoints are hashed, and its SHA-extension and AVX code reads them several times
/// faster than Swift code can. `FileDigests` remembers each file's digest so an unchanged checkpoint is read once.
public struct SHA256 {
    private let context = Context()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        context.check(EVP_DigestUpdate(context.pointer, base, bytes.count), "EVP_DigestUpdate")
    }

    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    /// The digest as 64 lower-case hex digits.
    public mutating func finalizeHex() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        context.check(EVP_DigestFinal_ex(context.pointer, &digest, &length), "EVP_DigestFinal_ex")
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public static func hex(_ text: String) -> String {
        var hasher = SHA256()
        hasher.update(text)
        return hasher.finalizeHex()
    }

    /// Owns libcrypto's digest context, freed with the hasher.
    private final class Context {
        let pointer: OpaquePointer

        init() {
            guard let pointer = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context (out of memory)") }
            self.pointer = pointer
            check(EVP_DigestInit_ex(pointer, EVP_sha256(), nil), "EVP_DigestInit_ex")
        }

        deinit { EVP_MD_CTX_free(pointer) }

        /// libcrypto's digest calls fail only on allocation or a misused context, neither of which input can cause.
        func check(_ status: Int32, _ call: String) {
            precondition(status == 1, "libcrypto's \(call) failed")
        }
    }
}
