import Compute
import Diffusion
import Experiments
import Foundation

/// Work-item results stored under the SHA-256 of everything they depend on: the item (its experiment's
/// resolved settings, and for a cell item its sampler, step count, seed and index range), the model's digest,
/// the digest of the images it inverts, the runner's code version, the backend and the model's precision. A build looks here before
/// running anything, so a rebuild with nothing changed runs no experiment.
///
/// The folder may be shared by many processes on a network file system: each entry is written under a
/// temporary name and renamed into place (two processes computing the same item write the same result;
/// the last rename wins), no lock is ever taken, and each entry carries the SHA-256 of its contents, so a
/// truncated or damaged entry is reported and recomputed, never served.
public struct ResultCache: Sendable {
    public let folder: URL

    /// Bumped when the entry format or the key material changes, so old entries are simply not found.
    /// 4: entries record the belm version that computed them.
    static let format = 4

    public init(folder: URL) {
        self.folder = folder
    }

    private struct KeyMaterial: Encodable {
        var format: Int
        var request: ExperimentRequest
        var scope: WorkItem.Scope
        var itemSize: Int
        var modelDigest: String
        var inputsDigest: String?
        /// With `fid:`, the SHA-256 of the Inception weights that computed the item's features.
        var inceptionDigest: String?
        var codeVersion: String
        var backend: String
        /// The model's weight precision; nil (left out of the JSON) for fp32, so fp32 keys are what they were
        /// before models had a precision.
        var precision: Precision?
        /// true with fp16: activations are stored in fp16 too (fp16 keys from when only the weights were are
        /// other results); nil otherwise, so fp32 keys stay as they were.
        var halfActivations: Bool?
        /// BELM's order, EDICT's leapfrog order and the boundary convention; each nil (left out of the JSON)
        /// at its default, so keys of default settings are what they were before the config could set them.
        var belmOrder: Int?
        var edictLeapfrog: Bool?
        var convention: BoundaryConvention?
    }

    /// One stored item.
    public struct Entry: Codable, Sendable {
        public var facts: RunFacts
        public var item: WorkItem
        public var result: ItemResult

        public init(facts: RunFacts, item: WorkItem, result: ItemResult) {
            self.facts = facts
            self.item = item
            self.result = result
        }
    }

    /// What looking an item up found.
    public enum Lookup: Sendable {
        case found(Entry)
        case missing
        /// The entry exists but cannot be trusted; it is recomputed (and the reason reported).
        case damaged(path: String, reason: String)

        /// The exported PNGs and the Inception features are dropped from what a plan keeps, so that its
        /// memory does not grow with the sample count; the site writer and the assembly read them back one
        /// entry at a time.
        public var withoutPerSampleData: Lookup {
            guard case .found(var entry) = self, case .cell(var cell) = entry.result, cell.exported != nil || cell.features != nil else { return self }
            cell.exported = nil
            cell.features = nil
            entry.result = .cell(cell)
            return .found(entry)
        }
    }

    /// A sampler knob for the key: nil when it is the default.
    private static func nonDefault<T: Equatable>(_ value: T, _ knob: KeyPath<SamplerSettings, T>) -> T? {
        value == SamplerSettings.defaults[keyPath: knob] ? nil : value
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    /// The key of `item` of `request`. A cell item's key leaves out what does not change it: the experiment's
    /// name, its other samplers, step counts and seeds, the gallery size beyond the item's indices, and for
    /// sampling the sample count (sample i is the same whatever the count), and of the prompts those of its
    /// own indices, so that adding a step count or raising `count` reuses every item already computed.
    /// `inputsDigest` is the digest of the files the experiment reads besides the model (its `images:`).
    /// With `fid:`, `inceptionDigest` (the weights' SHA-256) stands for its paths: the items hold features of
    /// those weights. The reference set is left out: it enters at assembly alone, so a new reference reuses
    /// every item, and moving the files elsewhere changes no key.
    public static func key(item: WorkItem, request: ExperimentRequest, modelDigest: String, inputsDigest: String? = nil,
                           inceptionDigest: String? = nil, codeVersion: String, backend: String) throws -> String {
        var material = KeyMaterial(format: format, request: request, scope: item.scope, itemSize: WorkItems.itemSize, modelDigest: modelDigest,
                                   inputsDigest: inputsDigest, inceptionDigest: request.fid == nil ? nil : inceptionDigest,
                                   codeVersion: codeVersion, backend: backend, precision: request.precision == .fp32 ? nil : request.precision,
                                   halfActivations: request.precision == .fp16 ? true : nil,
                                   belmOrder: nonDefault(request.belmOrder, \.belmOrder),
                                   edictLeapfrog: nonDefault(request.edictLeapfrog, \.edictLeapfrog),
                                   convention: nonDefault(request.convention, \.convention))
        material.request.fid = nil
        if case .cell(let cell) = item.scope {
            material.request.name = ""
            material.request.samplers = []
            material.request.steps = []
            material.request.seeds = []
            if WorkItems.splitsByIndex(request.kind) {
                material.request.gallery = max(0, min(request.gallery, cell.first + cell.count) - cell.first)
                // Sample i takes prompt i mod their count: the item's own prompts, not a caption file of 30,000 in every key.
                if !request.prompts.isEmpty { material.request.prompts = cell.indices.map { request.prompts[$0 % request.prompts.count] } }
            } else {
                // Interpolation, editing, convergence: every item keeps its figure images whatever the gallery;
                // an edit's freeze step defaults from the step counts, so the resolved one stands for them; an
                // interpolation's seed picks its images by its place among the seeds, so those stay.
                material.request.gallery = 0
                if request.kind == .editing { material.request.freezeStep = request.editFreezeStep }
                if request.kind == .interpolation { material.request.seeds = request.seeds }
            }
            if request.kind == .sampling { material.request.count = 0 }
        } else {
            // Whole-experiment kinds show no gallery and export nothing.
            material.request.gallery = 0
        }
        var hasher = SHA256()
        hasher.update(try encoder().encode(material))
        return hasher.finalizeHex()
    }

    /// This machine's name as it goes into temporary names: letters, digits and '-' only.
    static let hostTag: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count) == 0 ? String(cString: name) : "host"
        let cleaned = String(host.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }.prefix(64))
        return cleaned.isEmpty ? "host" : cleaned
    }()

    public func url(_ key: String) -> URL { folder.appendingPathComponent("\(key).entry") }

    public func load(_ key: String) -> Lookup {
        let url = url(key)
        guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
        guard let data = try? Data(contentsOf: url) else { return .damaged(path: url.path, reason: "cannot be read") }
        do {
            let entry = try JSONDecoder().decode(Entry.self, from: try CacheEntryFile.payload(of: data))
            guard entry.facts.key == key else { return .damaged(path: url.path, reason: "holds the entry of another key") }
            return .found(entry)
        } catch let error as CacheEntryFile.Damage {
            return .damaged(path: url.path, reason: error.reason)
        } catch {
            return .damaged(path: url.path, reason: "its checksum matches but it does not decode (\(error))")
        }
    }

    public func store(_ entry: Entry) throws {
        let data = CacheEntryFile.contents(payload: try Self.encoder().encode(entry))
        let destination = url(entry.facts.key)
        // The temporary names this machine as well as this process: the folder may be shared by tasks on many
        // machines, and only this machine can tell whether one of its processes is gone.
        let temporary = folder.appendingPathComponent(".\(destination.lastPathComponent).partial-\(Self.hostTag)-\(getpid())")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SiteWriteError(path: folder.path, reason: "cannot store results in the cache (\(error.localizedDescription)); pass a writable --cache folder")
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SiteWriteError(path: destination.path, reason: "cannot be moved into place in the cache (\(reason)); pass a writable --cache folder")
        }
    }
}
