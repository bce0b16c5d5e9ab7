import Compute

/// Everything one experiment produced: its metric records and its figures. Codable, so a build can cache it
/// under the content hash of what it depends on and skip the run next time.
public struct ExperimentResult: Sendable, Codable, Hashable {
    public var records: [MetricRecord]
    public var figures: [ImageFigure]
    /// Short remarks for the page ("EDICT uses p = 0.93"), in order.
    public var notes: [String]

    public init(records: [MetricRecord], figures: [ImageFigure], notes: [String] = []) {
        self.records = records
        self.figures = figures
        self.notes = notes
    }
}

/// Where a run is, for progress displays: `done` of `total` units of work (sampler steps, say).
public struct ExperimentProgress: Sendable {
    public var experiment: String
    public var stage: String
    public var done: Int
    public var total: Int

    public init(experiment: String, stage: String, done: Int, total: Int) {
        self.experiment = experiment
        self.stage = stage
        self.done = done
        self.total = total
    }
}

/// What the site needs from the experiments: run one request, and say what its cache key depends on.
public protocol ExperimentRunner: Sendable {
    /// Changes whenever the numbers a run produces may change (algorithms, conventions, metrics).
    var codeVersion: String { get }
    /// The kinds this runner can run; a config asking for another gets an error naming the kind.
    var supportedKinds: Set<ExperimentKind> { get }
    /// A digest of the model's weights and configuration (or a version for built-in models); throws with a
    /// clear message when the model is missing. `digests` remembers file digests between builds.
    func modelDigest(_ model: String, digests: FileDigests) throws -> String
    /// Runs one experiment. `progress` may be called often; it is cheap.
    func run(_ request: ExperimentRequest, backend: any Backend,
             progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult
}
