import FID
import Models

/// Turns the cell items of a sampling or reconstruction request into its result: each cell's records from
/// the sums of all its items (every seed), added in item order, so the numbers are the same however the
/// items were computed; the images from the galleries of the first seed. With `fid:`, each cell's FID
/// against `fidReference` from the feature moments of all its items (every seed), summed in the same order;
/// the features are those the results hold, or with `features` given, read item by item as they are added.
enum CellAssembly {
    static func result(_ request: ExperimentRequest, count: Int, fidReference: FIDStatistics? = nil, features: ItemFeatureReader? = nil,
                       items: [(WorkItem, CellItemResult)]) throws -> ExperimentResult {
        if request.fid != nil && fidReference == nil {
            throw ExperimentError("experiment '\(request.name)': `fid:` is set but no reference statistics were given to the assembly")
        }
        struct CellKey: Hashable { var sampler: SamplerChoice; var steps: Int }
        let seedOrder = Dictionary(uniqueKeysWithValues: request.seeds.enumerated().map { ($1, $0) })
        var cells: [CellKey: [(CellItem, CellItemResult)]] = [:]
        for (item, result) in items {
            guard case .cell(let cell) = item.scope else { throw ExperimentError("experiment '\(request.name)': a whole-experiment item among its cell items") }
            cells[CellKey(sampler: cell.sampler, steps: cell.steps), default: []].append((cell, result))
        }
        let settings = request.samplerSettings
        var records: [MetricRecord] = []
        var galleries: [CellKey: [GalleryEntry]] = [:]
        for sampler in request.samplers {
            for steps in request.steps {
                let key = CellKey(sampler: sampler, steps: steps)
                let parts = (cells[key] ?? []).sorted { a, b in
                    (seedOrder[a.0.seed] ?? .max, a.0.first) < (seedOrder[b.0.seed] ?? .max, b.0.first)
                }
                let expected = request.seeds.count * count
                guard parts.map(\.0.count).reduce(0, +) == expected else {
                    throw ExperimentError("experiment '\(request.name)': \(sampler.rawValue) at \(steps) steps has \(parts.map(\.0.count).reduce(0, +)) of its \(expected) items")
                }
                var total = CellStatistics()
                for (_, result) in parts { try total.merge(result.statistics) }
                for (metric, sum) in total.means.sorted(by: { $0.key < $1.key }) {
                    records.append(MetricRecord(experiment: request.name, model: request.model, sampler: settings.recordName(sampler),
                                                steps: steps, metric: metric, value: sum.mean, count: sum.n))
                }
                if request.fid != nil, let fidReference {
                    let moments = try featureMoments(parts, request: request, features: features)
                    let fid: Double
                    do {
                        fid = try FrechetDistance.between(try moments.statistics(), fidReference)
                    } catch let error as FIDError {
                        throw ExperimentError("experiment '\(request.name)': FID of \(sampler.rawValue) at \(steps) steps: \(error.description)")
                    }
                    records.append(MetricRecord(experiment: request.name, model: request.model, sampler: settings.recordName(sampler),
                                                steps: steps, metric: "fid", value: fid, count: moments.count))
                }
                galleries[key] = parts.filter { $0.0.seed == request.seeds[0] }.flatMap(\.1.gallery).sorted { $0.index < $1.index }
            }
        }
        try FiniteResults.check(records)
        var notes: [String] = []
        if request.seeds.count > 1 {
            notes.append("Metrics are means over the seeds \(request.seeds.map(String.init).joined(separator: ", ")); the figures show seed \(request.seeds[0]).")
        }
        let shown = CellGalleries(count: count, entries: Dictionary(uniqueKeysWithValues: galleries.map { (SamplerCell(sampler: $0.sampler, steps: $0.steps), $1) }))
        return ExperimentResult(records: records.sorted(by: MetricRecord.canonicalOrder),
                                images: request.kind == .sampling ? .samples(shown) : .roundTrips(shown), notes: notes)
    }

    /// The float64 feature sums of a cell's items, added item by item in the order given; each item's
    /// features read by `read` (else taken from its result), and with `read` dropped once added.
    static func featureMoments(_ parts: [(CellItem, CellItemResult)], request: ExperimentRequest,
                               features read: ItemFeatureReader?) throws -> FeatureMoments {
        var moments = FeatureMoments(dimension: FIDInception.featureWidth)
        for (cell, result) in parts {
            guard let features = try read.map({ try $0(cell) }) ?? result.features else {
                throw ExperimentError("experiment '\(request.name)': a cached item has no Inception features although `fid:` is set; rebuild without --cached-only")
            }
            try features.add(to: &moments)
        }
        return moments
    }
}
