import Compute
import Experiments
import Foundation

/// `belm build`: brings every experiment's results up to date (from the cache or by running it), renders
/// the site and swaps it into the output folder.
public struct SiteBuilder {
    public var config: SiteConfig
    public var runner: any ExperimentRunner
    public var backend: any Backend
    public var cache: ResultCache
    public var output: URL
    public var environment: BuildEnvironment
    public var report: @Sendable (BuildEvent) -> Void

    public init(config: SiteConfig, runner: any ExperimentRunner, backend: any Backend, cache: ResultCache,
                output: URL, environment: BuildEnvironment, report: @escaping @Sendable (BuildEvent) -> Void = { _ in }) {
        self.config = config
        self.runner = runner
        self.backend = backend
        self.cache = cache
        self.output = output
        self.environment = environment
        self.report = report
    }

    /// What a build did.
    public struct Summary: Sendable {
        public var ran: [String]
        public var cached: [String]
        public var files: Int
    }

    @discardableResult
    public func build() throws -> Summary {
        let started = Date()
        // Everything that can be checked without running anything is checked first; an output folder whose
        // replacement would delete the build's own files is refused before anything at all is written.
        try SiteSources.checkOutsideOutput(output, config: config, cache: cache.folder)
        try SiteFolder.checkWritable(output)
        try cache.checkWritable()
        cache.removeDeadTemporaries()
        let templates = try TemplateSet(builtIn: config.templatesDirectory, overrides: config.overridesDirectory,
                                        pagesDirectory: config.pagesDirectory, needed: SiteRenderer.neededTemplates(for: config))
        for spec in config.experiments where !runner.supportedKinds.contains(spec.request.kind) {
            throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)' is of kind '\(spec.request.kind.rawValue)', which this build of belm cannot run (it runs: \(runner.supportedKinds.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        let fileDigests = cache.loadFileDigests()
        var digests: [String: String] = [:]
        var inputDigests: [String: String] = [:]
        for spec in config.experiments {
            if digests[spec.request.model] == nil {
                do {
                    digests[spec.request.model] = try runner.modelDigest(spec.request.model, digests: fileDigests)
                } catch {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)': cannot read model \(spec.request.model): \(error)")
                }
            }
            if let images = spec.request.images, inputDigests[images] == nil {
                do {
                    inputDigests[images] = try ModelDigest.images(images, digests: fileDigests)
                } catch {
                    throw ConfigError(file: config.file, line: spec.line, "experiment '\(spec.request.name)': cannot read its `images:` folder: \(error)")
                }
            }
        }
        // The memo only saves time; a cache folder that refuses it still caches results.
        try? fileDigests.save()

        var outcomes: [ExperimentOutcome] = []
        var ran: [String] = [], cached: [String] = []
        for (index, spec) in config.experiments.enumerated() {
            let request = spec.request
            let digest = digests[request.model]!
            let key = try ResultCache.key(request: request, modelDigest: digest, inputsDigest: request.images.flatMap { inputDigests[$0] },
                                          codeVersion: runner.codeVersion, backend: backend.name)
            if let (result, facts) = cache.load(key) {
                report(.experiment(name: request.name, index: index + 1, total: config.experiments.count, cached: true))
                outcomes.append(ExperimentOutcome(spec: spec, result: result, run: facts))
                cached.append(request.name)
                continue
            }
            report(.experiment(name: request.name, index: index + 1, total: config.experiments.count, cached: false))
            let runStarted = Date()
            let report = self.report
            let result: ExperimentResult
            do {
                result = try runner.run(request, backend: backend) { report(.progress($0)) }
            } catch {
                throw ExperimentFailure(file: config.file, line: spec.line, experiment: request.name, underlying: error)
            }
            let seconds = Date().timeIntervalSince(runStarted)
            try check(result, of: spec)
            let facts = RunFacts(key: key, seconds: seconds, compute: environment.compute, modelDigest: digest, codeVersion: runner.codeVersion)
            try cache.store(result, facts: facts)
            report(.experimentDone(name: request.name, seconds: seconds))
            outcomes.append(ExperimentOutcome(spec: spec, result: result, run: facts))
            ran.append(request.name)
        }

        let results = SiteResults(config: config, outcomes: outcomes, environment: environment)
        let files = try SiteRenderer(results: results, templates: templates).render()
        report(.writing(files: files.files.count))
        try SiteFolder.replace(output, with: files)
        report(.done(path: output.path, ran: ran.count, cached: cached.count, seconds: Date().timeIntervalSince(started)))
        return Summary(ran: ran, cached: cached, files: files.files.count)
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
        for figure in result.figures {
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
        "\(file)\(line.map { ":\($0)" } ?? ""): error: experiment '\(experiment)' failed: \(underlying); the previous site is unchanged"
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
