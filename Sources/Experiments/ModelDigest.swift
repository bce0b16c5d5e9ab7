import Foundation

/// What a cached result's key says about the model it was computed with.
public enum ModelDigest {
    /// A fingerprint of a model folder: every file's relative path and size, plus the first and last MiB
    /// of each (safetensors headers name every tensor, shape and dtype; the tails catch retrained weights)
    /// — cheap for a 4 GB checkpoint, and any real change of weights or config changes it.
    public static func folder(_ path: String) throws -> String {
        let root = URL(fileURLWithPath: path)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        var files: [(String, URL)] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            files.append((String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count)), url))
        }
        var digest = Fingerprint()
        for (relative, url) in files.sorted(by: { $0.0 < $1.0 }) {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            digest.mix("\(relative)\u{0}\(size)\u{0}")
            try handle.seek(toOffset: 0)
            digest.mix(try handle.read(upToCount: 1 << 20) ?? Data())
            if size > 2 << 20 {
                try handle.seek(toOffset: size - (1 << 20))
                digest.mix(try handle.read(upToCount: 1 << 20) ?? Data())
            }
        }
        return digest.hex
    }

    /// Two independent 64-bit FNV-1a lanes: a fingerprint, not a cryptographic hash (the site hashes the
    /// full key with SHA-256 afterwards).
    struct Fingerprint {
        private var a: UInt64 = 0xcbf29ce484222325
        private var b: UInt64 = 0x84222325cbf29ce4
        mutating func mix(_ text: String) { mix(Data(text.utf8)) }
        mutating func mix(_ data: Data) {
            for byte in data {
                a = (a ^ UInt64(byte)) &* 0x100000001b3
                b = (b ^ UInt64(byte ^ 0x5a)) &* 0x100000001b3
            }
        }
        var hex: String { String(format: "%016llx%016llx", a, b) }
    }
}
