import Experiments
import Foundation
import Tensors

/// Experiment results stored under the SHA-256 of everything they depend on: the resolved request, the
/// model's digest, the digest of the images it inverts, the runner's code version and the backend. A build
/// looks here before running anything, so a rebuild with nothing changed runs no experiment.
public struct ResultCache: Sendable {
    public let folder: URL

    /// Bumped when the entry format changes, so old entries are simply not found.
    static let format = 2

    public init(folder: URL) {
        self.folder = folder
    }

    private struct KeyMaterial: Encodable {
        var format: Int
        var request: ExperimentRequest
        var modelDigest: String
        var inputsDigest: String?
        var codeVersion: String
        var backend: String
    }

    private struct Entry: Codable {
        var facts: RunFacts
        var result: ExperimentResult
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// `inputsDigest` is the digest of the files the experiment reads besides the model (its `images:`).
    public static func key(request: ExperimentRequest, modelDigest: String, inputsDigest: String? = nil, codeVersion: String, backend: String) throws -> String {
        let material = KeyMaterial(format: format, request: request, modelDigest: modelDigest, inputsDigest: inputsDigest,
                                   codeVersion: codeVersion, backend: backend)
        var hasher = SHA256()
        hasher.update(try encoder().encode(material))
        return hasher.finalizeHex()
    }

    private func url(_ key: String) -> URL { folder.appendingPathComponent("\(key).json") }

    /// The stored result, or nil when there is none or it cannot be read (then it is recomputed).
    public func load(_ key: String) -> (ExperimentResult, RunFacts)? {
        guard let data = try? Data(contentsOf: url(key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data),
              entry.facts.key == key else { return nil }
        return (entry.result, entry.facts)
    }

    public func store(_ result: ExperimentResult, facts: RunFacts) throws {
        let data = try Self.encoder().encode(Entry(facts: facts, result: result))
        do {
            try AtomicFile.write(data, to: url(facts.key))
        } catch {
            throw SiteWriteError(path: folder.path, reason: "cannot store results in the cache (\(error)); pass a writable --cache folder")
        }
    }
}
