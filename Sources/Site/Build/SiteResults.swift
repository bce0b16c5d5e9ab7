import Experiments

/// What the site is made from: the checked config, each experiment's results, and how they were computed.
/// This is the whole interface between running experiments and writing pages: the renderer sees nothing
/// else, so a site can be rendered from results computed anywhere.
public struct SiteResults: Sendable {
    public var config: SiteConfig
    /// One per experiment of the config, in config order.
    public var outcomes: [ExperimentOutcome]
    public var environment: BuildEnvironment

    public init(config: SiteConfig, outcomes: [ExperimentOutcome], environment: BuildEnvironment) {
        self.config = config
        self.outcomes = outcomes
        self.environment = environment
    }

    public var records: [MetricRecord] {
        outcomes.flatMap(\.result.records).sorted(by: MetricRecord.canonicalOrder)
    }

    /// Where the numbers of `record`'s cell were computed: each distinct device and software, in order.
    public func provenance(of record: MetricRecord) -> [CellProvenance] {
        outcomes.first { $0.spec.request.name == record.experiment }?.provenance.of(sampler: record.sampler, steps: record.steps) ?? []
    }
}

/// One experiment's results with the facts of the run that produced them.
public struct ExperimentOutcome: Sendable {
    public var spec: ExperimentSpec
    public var result: ExperimentResult
    public var run: RunFacts
    /// Where each of its cells was computed.
    public var provenance: CellProvenanceTable

    public init(spec: ExperimentSpec, result: ExperimentResult, run: RunFacts, provenance: CellProvenanceTable = CellProvenanceTable()) {
        self.spec = spec
        self.result = result
        self.run = run
        self.provenance = provenance
    }
}

/// How a result was computed. Stored with the cached result, so a rebuild from the cache shows the same
/// facts (and the same bytes) as the build that ran it.
public struct RunFacts: Sendable, Codable, Hashable {
    /// The content hash the result is cached under.
    public var key: String
    public var seconds: Double
    /// The device that computed it, which may be another than this build's when the result is cached.
    public var compute: ComputeProvenance
    public var modelDigest: String
    public var codeVersion: String
    /// The belm that computed it.
    public var belmVersion: String

    public init(key: String, seconds: Double, compute: ComputeProvenance, modelDigest: String, codeVersion: String, belmVersion: String = "unknown") {
        self.key = key
        self.seconds = seconds
        self.compute = compute
        self.modelDigest = modelDigest
        self.codeVersion = codeVersion
        self.belmVersion = belmVersion
    }

    /// Where it was computed, as the cells it belongs to report it.
    public var provenance: CellProvenance {
        CellProvenance(compute: compute, belmVersion: belmVersion, modelDigest: modelDigest)
    }
}

/// The software and machine a site was built with, and the command that builds it again.
public struct BuildEnvironment: Sendable, Hashable {
    public var belmVersion: String
    public var swiftVersion: String
    public var operatingSystem: String
    /// The device this build runs experiments on.
    public var compute: ComputeProvenance
    public var command: String

    public init(belmVersion: String, swiftVersion: String, operatingSystem: String, compute: ComputeProvenance, command: String) {
        self.belmVersion = belmVersion
        self.swiftVersion = swiftVersion
        self.operatingSystem = operatingSystem
        self.compute = compute
        self.command = command
    }
}

extension RunFacts {
    /// One experiment's facts from its items': their seconds added up, the first item's device (in plan
    /// order), and a key that is the digest of every item's key, so it changes when any item does.
    public init(combining items: [RunFacts]) {
        precondition(!items.isEmpty, "an experiment has at least one item")
        if items.count == 1 { self = items[0]; return }
        var hasher = SHA256()
        for item in items { hasher.update(item.key + "\n") }
        self.init(key: hasher.finalizeHex(), seconds: items.map(\.seconds).reduce(0, +), compute: items[0].compute,
                  modelDigest: items[0].modelDigest, codeVersion: items[0].codeVersion, belmVersion: items[0].belmVersion)
    }
}
