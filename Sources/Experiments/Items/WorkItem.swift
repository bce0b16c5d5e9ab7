/// One unit of work of an experiment: what a shard computes and the cache stores under its own key. A cell
/// item is one sampler at one step count, for one seed, over a range of *global* item indices: sample i's
/// noise and reconstruction i's image depend on i alone, so splitting the work differently (more shards,
/// another batch size, another order) gives the same results. Kinds whose results do not split by index
/// (interpolation, editing, convergence) have one item per (sampler, step count, seed), over all of the
/// request's images. A runner that does not split at all has one whole-experiment item.
public struct WorkItem: Sendable, Codable, Hashable {
    /// The experiment's name in the config.
    public var experiment: String
    public var scope: Scope
    /// About how many model evaluations (network calls × samples) it takes: what shards balance.
    public var cost: Int

    public enum Scope: Sendable, Codable, Hashable {
        case whole
        case cell(CellItem)
    }

    public init(experiment: String, scope: Scope, cost: Int) {
        self.experiment = experiment
        self.scope = scope
        self.cost = cost
    }

    /// "sampling ddim 20 steps seed 0 items 64–127", for lists of missing items and progress lines.
    public var label: String {
        switch scope {
        case .whole: experiment
        case .cell(let cell): "\(experiment) \(cell.label)"
        }
    }
}

/// One (sampler, step count, seed) cell over the item indices `first ..< first + count`.
public struct CellItem: Sendable, Codable, Hashable {
    public var sampler: SamplerChoice
    public var steps: Int
    public var seed: Int
    public var first: Int
    public var count: Int

    public init(sampler: SamplerChoice, steps: Int, seed: Int, first: Int, count: Int) {
        self.sampler = sampler
        self.steps = steps
        self.seed = seed
        self.first = first
        self.count = count
    }

    public var indices: Range<Int> { first..<(first + count) }

    public var label: String { "\(sampler.rawValue) \(steps) steps seed \(seed) items \(first)–\(first + count - 1)" }
}

/// How a request splits into items, with the one place their size is chosen.
public enum WorkItems {
    /// Samples (or images) per cell item: a few batches, so that a 50,000-sample cell is some 800 items for
    /// shards to balance, and a cache entry stays small. Part of every item's key (the merge order of the
    /// sums follows it).
    public static let itemSize = 64

    /// The kinds whose results split by item index.
    public static func splitsByIndex(_ kind: ExperimentKind) -> Bool { kind == .sampling || kind == .reconstruction }

    /// Every item of `request`, seeds outermost, then samplers, step counts and index ranges. `count` is the
    /// number of samples or images per seed (fewer than the request's when its `images:` folder holds fewer).
    /// Kinds that do not split by index have one range, all of the request's images.
    public static func plan(_ request: ExperimentRequest, count: Int? = nil) -> [WorkItem] {
        let count = count ?? request.count
        let size = splitsByIndex(request.kind) ? itemSize : max(1, count)
        var items: [WorkItem] = []
        for seed in request.seeds {
            for sampler in request.samplers {
                for steps in request.steps {
                    for first in stride(from: 0, to: count, by: size) {
                        let cell = CellItem(sampler: sampler, steps: steps, seed: seed, first: first, count: min(size, count - first))
                        items.append(WorkItem(experiment: request.name, scope: .cell(cell), cost: cost(of: cell, in: request)))
                    }
                }
            }
        }
        return items
    }

    /// The model evaluations of one cell item (see `evaluations`).
    static func cost(of cell: CellItem, in request: ExperimentRequest) -> Int {
        let perStep = cell.sampler == .edict ? 2 : 1
        let chain = cell.steps * perStep
        return switch request.kind {
        case .sampling, .reconstruction: evaluations(request.kind, sampler: cell.sampler, steps: cell.steps) * cell.count
        // Two endpoints inverted, every frame sampled back.
        case .interpolation: chain * (2 + request.frames)
        // Every image of every pair inverted to the freeze step and sampled back from it.
        case .editing: 2 * chain * cell.count * max(1, request.targets.count)
        case .convergence: chain * cell.count
        }
    }

    /// Network calls per sample: EDICT evaluates twice a step, a round trip inverts and samples back.
    /// An estimate (BDIA and O-BELM save one call at an end), used for balancing and for `belm plan`.
    public static func evaluations(_ kind: ExperimentKind, sampler: SamplerChoice, steps: Int) -> Int {
        let perStep = sampler == .edict ? 2 : 1
        return steps * perStep * (kind == .sampling ? 1 : 2)
    }

    /// The model evaluations of an experiment run as one item.
    static func wholeCost(_ request: ExperimentRequest) -> Int {
        let perSample = request.samplers.reduce(0) { sum, sampler in
            sum + request.steps.reduce(0) { $0 + evaluations(request.kind == .convergence ? .sampling : .reconstruction, sampler: sampler, steps: $1) }
        }
        let samples = switch request.kind {
        case .interpolation: request.frames
        case .editing: request.count * max(1, request.targets.count)
        default: request.count
        }
        return max(1, perSample * samples * request.seeds.count)
    }
}
