import Compute
import FID

/// Everything one experiment produced: its metric records and the images its figures show. Codable, so a
/// build can cache it under the content hash of what it depends on and skip the run next time.
public struct ExperimentResult: Sendable, Codable, Hashable {
    public var records: [MetricRecord]
    public var images: ExperimentImages
    /// Short remarks for the page ("EDICT uses p = 0.93"), in order.
    public var notes: [String]

    public init(records: [MetricRecord], images: ExperimentImages = .none, notes: [String] = []) {
        self.records = records
        self.images = images
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
    /// The request's work items (defaults below: one whole-experiment item).
    func workItems(for request: ExperimentRequest) -> [WorkItem]
    func runItems(_ items: [WorkItem], of request: ExperimentRequest, backend: any Backend,
                  progress: @escaping @Sendable (ExperimentProgress) -> Void,
                  completed: (WorkItem, ItemResult) throws -> Void) throws
    func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)]) throws -> ExperimentResult
    /// The same, for a request with `fid:`, given its reference statistics (which the caller may cache) and,
    /// when the items' results were passed without their features, where to read each item's features.
    func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)], fidReference: FIDStatistics?,
                  features: ItemFeatureReader?) throws -> ExperimentResult
}

/// Work items: how a runner splits a request, runs some of its items and assembles a result from all of
/// them. A runner that does not split gets one whole-experiment item run by `run`.
extension ExperimentRunner {
    public func workItems(for request: ExperimentRequest) -> [WorkItem] {
        [WorkItem(experiment: request.name, scope: .whole, cost: WorkItems.wholeCost(request))]
    }

    /// Runs `items` (some of `workItems(for: request)`), handing each result to `completed` as soon as it is
    /// done, so that a process killed midway keeps what it finished.
    public func runItems(_ items: [WorkItem], of request: ExperimentRequest, backend: any Backend,
                         progress: @escaping @Sendable (ExperimentProgress) -> Void,
                         completed: (WorkItem, ItemResult) throws -> Void) throws {
        for item in items {
            guard case .whole = item.scope else { throw ExperimentError("experiment '\(request.name)': this runner has no cell items (\(item.label))") }
            try completed(item, .whole(try run(request, backend: backend, progress: progress)))
        }
    }

    /// A runner without FID ignores the reference.
    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)], fidReference: FIDStatistics?,
                         features: ItemFeatureReader?) throws -> ExperimentResult {
        try assemble(request, items: items)
    }

    /// The experiment's result from every one of its items.
    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)]) throws -> ExperimentResult {
        guard items.count == 1, case .whole(let result) = items[0].1 else {
            throw ExperimentError("experiment '\(request.name)': expected one whole-experiment item, got \(items.count)")
        }
        return result
    }
}
