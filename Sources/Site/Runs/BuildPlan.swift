import Compute
import Experiments
import Foundation

/// A site config expanded into work items, each with its cache key and what the cache holds for it: what
/// `belm build` runs (the stale items, or a shard's share of them), what `--cached-only` needs, what
/// `belm plan` shows.
public struct BuildPlan: Sendable {
    public var experiments: [PlannedExperiment]

    public var items: [PlannedItem] { experiments.flatMap(\.items) }
    public var stale: [PlannedItem] { items.filter { !$0.isCached } }

    /// Expands `config`, hashing every model and input folder once and looking every item up in `cache`.
    public static func make(config: SiteConfig, runner: any ExperimentRunner, backend: String, cache: ResultCache) throws -> BuildPlan {
        let fileDigests = cache.loadFileDigests()
        var modelDigests: [String: String] = [:], inputDigests: [String: String] = [:]
        var experiments: [PlannedExperiment] = []
        for spec in config.experiments {
            let request = spec.request
            let modelDigest: String
            if let known = modelDigests[request.model] {
                modelDigest = known
            } else {
                do {
                    modelDigest = try runner.modelDigest(request.model, digests: fileDigests)
                } catch {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(request.name)': cannot read model \(request.model): \(error)")
                }
                modelDigests[request.model] = modelDigest
            }
            if let images = request.images, inputDigests[images] == nil {
                do {
                    inputDigests[images] = try ModelDigest.images(images, digests: fileDigests)
                } catch let invalid as InvalidSetting {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(request.name)', key '\(invalid.parameter.configKey)' \(invalid.problem)")
                } catch {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(request.name)': cannot read its `images:` folder: \(error)")
                }
            }
            var inceptionDigest: String?
            if let fid = request.fid {
                do {
                    inceptionDigest = try fileDigests.sha256(of: URL(fileURLWithPath: fid.inception))
                } catch {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(request.name)': cannot read its `fid: inception:` weights \(fid.inception): \(error)")
                }
            }
            let inputsDigest = request.images.flatMap { inputDigests[$0] }
            let items = try runner.workItems(for: request).map { item in
                let key = try ResultCache.key(item: item, request: request, modelDigest: modelDigest, inputsDigest: inputsDigest,
                                              inceptionDigest: inceptionDigest, codeVersion: runner.codeVersion, backend: backend)
                return PlannedItem(item: item, key: key, lookup: cache.load(key).withoutPerSampleData)
            }
            experiments.append(PlannedExperiment(spec: spec, modelDigest: modelDigest, items: items))
        }
        // The memo only saves time; a cache folder that refuses it still caches results.
        try? fileDigests.save()
        return BuildPlan(experiments: experiments)
    }
}

public struct PlannedExperiment: Sendable {
    public var spec: ExperimentSpec
    public var modelDigest: String
    public var items: [PlannedItem]

    public var stale: [PlannedItem] { items.filter { !$0.isCached } }
    /// The model evaluations (network calls × samples, estimated) its stale items take.
    public var evaluationsLeft: Int { stale.map(\.item.cost).reduce(0, +) }
}

public struct PlannedItem: Sendable {
    public var item: WorkItem
    public var key: String
    public var lookup: ResultCache.Lookup

    public var isCached: Bool {
        if case .found = lookup { return true }
        return false
    }

    public var entry: ResultCache.Entry? {
        if case .found(let entry) = lookup { return entry }
        return nil
    }
}
