import Compute
import Experiments
import Foundation

/// `belm build`: brings every experiment's results up to date (from the cache or by running it), renders
/// the site and swaps it into the output folder.
public struct SiteBuilder {
    public var config: SiteConfig
    public var runner: any ExperimentRunner
    public var backend: any Backend
    /// The backend whose results the cache keys name: `backend.name`, unless an assembling build that runs
    /// nothing (`--cached-only` on a machine without the GPU) names the backend the items were computed on.
    public var keyBackend: String
    public var cache: ResultCache
    public var output: URL
    public var environment: BuildEnvironment
    public var report: @Sendable (BuildEvent) -> Void

    public init(config: SiteConfig, runner: any ExperimentRunner, backend: any Backend, cache: ResultCache,
                output: URL, environment: BuildEnvironment, report: @escaping @Sendable (BuildEvent) -> Void = { _ in }) {
        self.config = config
        self.runner = runner
        self.backend = backend
        self.keyBackend = backend.name
        self.cache = cache
        self.output = output
        self.environment = environment
        self.report = report
    }

    /// What a build does with the plan.
    public enum Mode: Sendable, Equatable {
        /// Compute every stale item, then write the site.
        case full
        /// Compute this shard's stale items into the cache; write no site.
        case shard(Shard)
        /// Write the site from the cache alone; with any item missing, write nothing and say what is missing.
        case cachedOnly

        var writesSite: Bool {
            if case .shard = self { return false }
            return true
        }
    }

    /// What a build did: experiments that ran some item, experiments wholly from the cache, items run.
    public struct Summary: Sendable {
        public var ran: [String]
        public var cached: [String]
        public var itemsRun: Int
        public var files: Int
    }

    @discardableResult
    public func build(_ mode: Mode = .full) throws -> Summary {
        let started = Date()
        // Everything that can be checked without running anything is checked first; an output folder whose
        // replacement would delete the build's own files is refused before anything at all is written.
        var templates: TemplateSet?
        if mode.writesSite {
            try SiteSources.checkOutsideOutput(output, config: config, cache: cache.folder)
            try SiteFolder.checkWritable(output)
        }
        try cache.checkWritable()
        cache.removeDeadTemporaries()
        if mode.writesSite {
            templates = try TemplateSet(builtIn: config.templatesDirectory, overrides: config.overridesDirectory,
                                        pagesDirectory: config.pagesDirectory, needed: SiteRenderer.neededTemplates(for: config))
        }
        for spec in config.experiments where !runner.supportedKinds.contains(spec.request.kind) {
            throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)' is of kind '\(spec.request.kind.rawValue)', which this build of belm cannot run (it runs: \(runner.supportedKinds.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        var plan = try BuildPlan.make(config: config, runner: runner, backend: keyBackend, cache: cache)
        for planned in plan.items {
            if case let .damaged(path, reason) = planned.lookup { report(.damagedEntry(path: path, reason: reason)) }
        }

        let toRun: [PlannedItem]
        switch mode {
        case .full: toRun = plan.stale
        case .cachedOnly:
            guard plan.stale.isEmpty else { throw MissingItems(plan: plan, config: config.file, cache: cache.folder.path, backend: keyBackend) }
            toRun = []
        case .shard(let shard):
            let share = shard.share(of: plan.items)
            toRun = share.filter { !$0.isCached }
            report(.shard(shard: shard, items: share.count, stale: toRun.count, total: plan.items.count))
        }

        // Run, experiment by experiment, storing each item as it finishes.
        let runKeys = Set(toRun.map(\.key))
        var ran: [String] = [], cached: [String] = []
        for (index, experiment) in plan.experiments.enumerated() {
            let request = experiment.spec.request
            let mine = experiment.items.filter { runKeys.contains($0.key) }
            if mine.isEmpty {
                if experiment.stale.isEmpty { cached.append(request.name) }
                if mode.writesSite {
                    report(.experiment(name: request.name, index: index + 1, total: plan.experiments.count, cached: true))
                }
                continue
            }
            report(.experiment(name: request.name, index: index + 1, total: plan.experiments.count, cached: false))
            let runStarted = Date()
            var itemStarted = Date()
            let report = self.report
            var done: [String: ResultCache.Lookup] = [:]
            do {
                try runner.runItems(mine.map(\.item), of: request, backend: backend, progress: { report(.progress($0)) }) { item, result in
                    guard let planned = mine.first(where: { $0.item == item }) else {
                        throw ExperimentError("the runner returned an item it was not given: \(item.label)")
                    }
                    var compute = environment.compute
                    compute.precision = request.precision
                    let facts = RunFacts(key: planned.key, seconds: Date().timeIntervalSince(itemStarted), compute: compute,
                                         modelDigest: experiment.modelDigest, codeVersion: runner.codeVersion, belmVersion: environment.belmVersion)
                    try checkStorable(result, of: experiment.spec, item: item)
                    let entry = ResultCache.Entry(facts: facts, item: item, result: result)
                    try cache.store(entry)
                    done[planned.key] = ResultCache.Lookup.found(entry).withoutPerSampleData
                    itemStarted = Date()
                }
            } catch let error as SiteWriteError {
                throw error
            } catch let error as NonFiniteMetric {
                throw error
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ExperimentFailure(file: config.file, line: experiment.spec.line, experiment: request.name, underlying: error)
            }
            for (k, planned) in experiment.items.enumerated() {
                if let lookup = done[planned.key] { plan.experiments[index].items[k].lookup = lookup }
            }
            report(.experimentDone(name: request.name, seconds: Date().timeIntervalSince(runStarted)))
            ran.append(request.name)
        }
        if case .shard = mode {
            report(.shardDone(items: toRun.count, seconds: Date().timeIntervalSince(started)))
            return Summary(ran: ran, cached: cached, itemsRun: toRun.count, files: 0)
        }

        var outcomes: [ExperimentOutcome] = []
        for experiment in plan.experiments {
            let entries = experiment.items.compactMap(\.entry)
            guard entries.count == experiment.items.count else {
                throw MissingItems(plan: plan, config: config.file, cache: cache.folder.path, backend: keyBackend)
            }
            var result: ExperimentResult
            do {
                let request = experiment.spec.request
                let reference = try request.fid.map { try FIDReferenceCache(cache: cache).statistics($0, backend: backend) }
                result = try runner.assemble(request, items: entries.map { ($0.item, $0.result) }, fidReference: reference,
                                             features: request.fid == nil ? nil : cache.featureReader(experiment.items))
            } catch {
                throw ExperimentFailure(file: config.file, line: experiment.spec.line, experiment: experiment.spec.request.name, underlying: error)
            }
            try check(result, of: experiment.spec)
            // Shards on different machines: the page says which devices computed the items.
            let devices = Set(entries.map(\.facts.compute.summary)).sorted()
            if devices.count > 1 { result.notes.append("Its work items were computed on \(devices.count) devices: \(devices.joined(separator: "; ")).") }
            if let fid = experiment.spec.request.fid {
                result.notes.append(FIDProtocolNote.text(experiment.spec.request, setting: fid, devices: devices, digests: cache.loadFileDigests()))
            }
            outcomes.append(ExperimentOutcome(spec: experiment.spec, result: result, run: RunFacts(combining: entries.map(\.facts)),
                                              provenance: CellProvenanceTable(request: experiment.spec.request, items: entries.map { ($0.item, $0.facts) })))
        }

        let results = SiteResults(config: config, outcomes: outcomes, environment: environment)
        var files = try SiteRenderer(results: results, templates: templates!).render()
        for experiment in plan.experiments where experiment.spec.request.exportSamples {
            let request = experiment.spec.request
            for planned in experiment.items {
                guard case .cell(let cell) = planned.item.scope, cell.seed == request.seeds[0] else { continue }
                let name = request.samplerSettings.recordName(cell.sampler)
                files.addExport(.init(cache: cache, key: planned.key, folder: "samples/\(request.name)/\(name)-\(cell.steps)",
                                      first: cell.first, count: cell.count))
            }
        }
        report(.writing(files: files.count))
        try SiteFolder.replace(output, with: files)
        report(.done(path: output.path, ran: ran.count, cached: cached.count, seconds: Date().timeIntervalSince(started)))
        return Summary(ran: ran, cached: cached, itemsRun: toRun.count, files: files.count)
    }

    /// A number that is not finite is refused before the cache could store it (JSON has no NaN); a whole
    /// result gets the checks of an assembled one.
    private func checkStorable(_ result: ItemResult, of spec: ExperimentSpec, item: WorkItem) throws {
        switch result {
        case .whole(let whole): try check(whole, of: spec)
        case .cell(let cell):
            for (metric, sum) in cell.statistics.means.sorted(by: { $0.key < $1.key }) where !sum.sum.isFinite {
                throw ExperimentError("\(item.label) gave \(metric) = \(sum.sum / Double(sum.n)); the run diverged, so nothing is written")
            }
        case .measured(let cell):
            for metric in cell.metrics where !metric.value.isFinite {
                throw ExperimentError("\(item.label) gave \(metric.metric) = \(metric.value); the run diverged, so nothing is written")
            }
        }
    }

    /// A runner's result must speak of the experiment it was asked for; a mismatch is a bug worth stopping on.
    /// A value that is not a finite number is refused here, before the cache or the site could store it.
    private func check(_ result: ExperimentResult, of spec: ExperimentSpec) throws {
        try MetricsFiles.checkFinite(result.records.map(SiteRenderer.relabelled))
        var seen = Set<String>()
        for record in result.records {
            guard record.experiment == spec.request.name else {
                throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)' returned a record for '\(record.experiment)'")
            }
            let id = "\(record.model)|\(record.sampler)|\(record.steps)|\(record.metric)"
            guard seen.insert(id).inserted else {
                throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)' returned two records for \(record.sampler) \(record.steps) steps \(record.metric)")
            }
        }
        var figureIDs = Set<String>()
        for figure in result.figures(of: spec.request) {
            guard figure.id.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil, figureIDs.insert(figure.id).inserted else {
                throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)' returned a figure with a bad or repeated id '\(figure.id)'")
            }
        }
    }
}

/// An experiment that stopped with an error; the previous site is left as it was.
public struct ExperimentFailure: Error, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let experiment: String
    public let underlying: any Error

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): error: experiment '\(experiment)' failed: \(reason); the previous site is unchanged"
    }

    /// The library's refusal of a setting in the config's words: the experiment's key, not the parameter's name.
    private var reason: String {
        guard let invalid = underlying as? InvalidSetting else { return "\(underlying)" }
        return "key '\(invalid.parameter.configKey)' \(invalid.problem)"
    }
}

extension BuildEnvironment {
    /// The environment of this process: versions, operating system, the device experiments run on.
    public static func current(belmVersion: String, compute: ComputeProvenance, command: String) -> BuildEnvironment {
        var system = "unknown"
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") }) {
            system = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        #if compiler(>=6.3)
        let swift = "6.3 or newer"
        #elseif compiler(>=6.2)
        let swift = "6.2"
        #elseif compiler(>=6.1)
        let swift = "6.1"
        #else
        let swift = "6.0"
        #endif
        return BuildEnvironment(belmVersion: belmVersion, swiftVersion: swift, operatingSystem: system, compute: compute, command: command)
    }
}
