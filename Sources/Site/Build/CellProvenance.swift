import Experiments

/// Where a cell's numbers came from, as each of its items' cache entries recorded it when the item was
/// computed: the device, driver, backend and precision, the belm version and the model's digest. A cell whose
/// items were computed by shards on several machines lists each distinct one.
public struct CellProvenance: Sendable, Hashable, Comparable {
    public var compute: ComputeProvenance
    public var belmVersion: String
    public var modelDigest: String

    public init(compute: ComputeProvenance, belmVersion: String, modelDigest: String) {
        self.compute = compute
        self.belmVersion = belmVersion
        self.modelDigest = modelDigest
    }

    /// "vulkan · NVIDIA H100 (discrete GPU) · driver NVIDIA 550.54.15 · fp32 · belm 0.9.0 · model 3f2a…".
    public var summary: String {
        "\(compute.summary) · belm \(belmVersion) · model \(modelDigest.prefix(16))"
    }

    public static func < (a: CellProvenance, b: CellProvenance) -> Bool {
        (a.compute.summary, a.belmVersion, a.modelDigest) < (b.compute.summary, b.belmVersion, b.modelDigest)
    }
}

/// The provenance of every cell of one experiment, looked up by the sampler and step count its records name.
public struct CellProvenanceTable: Sendable {
    private struct Cell: Hashable {
        var sampler: String
        var steps: Int
    }

    private var cells: [Cell: Set<CellProvenance>] = [:]
    /// The items that are not cells (a runner's whole-experiment item): they computed every record.
    private var whole: Set<CellProvenance> = []

    public init() {}

    /// From an experiment's items and the facts their entries hold.
    public init(request: ExperimentRequest, items: [(WorkItem, RunFacts)]) {
        for (item, facts) in items {
            switch item.scope {
            case .cell(let cell):
                cells[Cell(sampler: request.samplerSettings.recordName(cell.sampler), steps: cell.steps), default: []].insert(facts.provenance)
            case .whole:
                whole.insert(facts.provenance)
            }
        }
    }

    /// Each distinct provenance of the cell, sorted.
    public func of(sampler: String, steps: Int) -> [CellProvenance] {
        cells[Cell(sampler: sampler, steps: steps), default: []].union(whole).sorted()
    }

    /// Every cell with its provenance, in sampler then step order as the request lists them.
    public func rows(for request: ExperimentRequest) -> [(sampler: String, steps: Int, provenance: [CellProvenance])] {
        request.samplers.flatMap { choice in
            request.steps.map { steps in
                let name = request.samplerSettings.recordName(choice)
                return (name, steps, of(sampler: name, steps: steps))
            }
        }
    }
}
