import Foundation

/// Turns the items of an interpolation, editing or convergence request into its result: per (sampler, steps)
/// cell, each metric's count-weighted mean over its items in seed order (a cell of one item keeps the value
/// as measured), so the numbers are the same however the items were computed; the images from the first seed.
enum MeasuredAssembly {
    private struct CellKey: Hashable {
        var sampler: SamplerChoice
        var steps: Int
    }

    static func result(_ request: ExperimentRequest, items: [(WorkItem, MeasuredCell)]) throws -> ExperimentResult {
        var cells: [CellKey: [(seed: Int, result: MeasuredCell)]] = [:]
        for (item, result) in items {
            guard case .cell(let cell) = item.scope else { throw ExperimentError("experiment '\(request.name)': a whole-experiment item among its cell items") }
            cells[CellKey(sampler: cell.sampler, steps: cell.steps), default: []].append((cell.seed, result))
        }
        let seedOrder = Dictionary(request.seeds.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var ordered: [CellKey: [MeasuredCell]] = [:]
        var records: [MetricRecord] = []
        for sampler in request.samplers {
            for steps in request.steps {
                let key = CellKey(sampler: sampler, steps: steps)
                let parts = (cells[key] ?? []).sorted { (seedOrder[$0.seed] ?? .max) < (seedOrder[$1.seed] ?? .max) }
                guard parts.map(\.seed) == request.seeds else {
                    throw ExperimentError("experiment '\(request.name)': \(sampler.rawValue) at \(steps) steps has items for the seeds \(parts.map { String($0.seed) }.joined(separator: ", ")), not \(request.seeds.map(String.init).joined(separator: ", "))")
                }
                ordered[key] = parts.map(\.result)
                var means = WeightedMeans()
                for part in parts { means.add(part.result.metrics) }
                records += means.values.map { metric in
                    MetricRecord(experiment: request.name, model: request.model, sampler: request.samplerSettings.recordName(sampler),
                                 steps: steps, metric: metric.metric, value: metric.value, count: metric.count)
                }
            }
        }
        try FiniteResults.check(records)
        // The first seed's item of each cell.
        func firstSeed(_ sampler: SamplerChoice, _ steps: Int) -> MeasuredCell? { ordered[CellKey(sampler: sampler, steps: steps)]?.first }
        var notes: [String] = []
        let images: ExperimentImages
        switch request.kind {
        case .interpolation:
            images = try strips(request, firstSeed)
        case .editing:
            images = try edits(request, firstSeed)
            notes.append("Inversion stops at state \(request.editFreezeStep); sampling resumes from there under the target \(request.prompts.isEmpty ? "class" : "prompt") with classifier-free guidance \(request.editGuidance).")
        case .convergence:
            images = .none
            notes.append("Errors are measured against the exact probability-flow ODE solution from the same noise, solved in Double to a tolerance of 1e-10; the mixture's component std is \(request.mixtureSpread).")
        case .sampling, .reconstruction:
            throw ExperimentError("experiment '\(request.name)': \(request.kind.rawValue) is assembled from its cells' sums")
        }
        if request.seeds.count > 1 {
            notes.append("Metrics are means over the seeds \(request.seeds.map(String.init).joined(separator: ", ")); the figures show seed \(request.seeds[0]).")
        }
        return ExperimentResult(records: records.sorted(by: MetricRecord.canonicalOrder), images: images, notes: notes)
    }

    /// Count-weighted means by metric, in the order metrics first appear: the first value is kept as it is
    /// until a second is added, then the mean is the weighted sum over the total count.
    struct WeightedMeans {
        private var order: [String] = []
        private var sums: [String: (first: MeasuredMetric, weighted: Double, count: Int)] = [:]

        mutating func add(_ metrics: [MeasuredMetric]) {
            for metric in metrics {
                if var entry = sums[metric.metric] {
                    entry.weighted += metric.value * Double(metric.count)
                    entry.count += metric.count
                    sums[metric.metric] = entry
                } else {
                    sums[metric.metric] = (metric, metric.value * Double(metric.count), metric.count)
                    order.append(metric.metric)
                }
            }
        }

        var values: [MeasuredMetric] {
            order.compactMap { name in
                guard let entry = sums[name] else { return nil }
                let value = entry.count == entry.first.count ? entry.first.value : entry.weighted / Double(entry.count)
                return MeasuredMetric(metric: name, value: value, count: entry.count)
            }
        }
    }

    /// Each cell's strip; every cell must hold one.
    private static func strips(_ request: ExperimentRequest, _ firstSeed: (SamplerChoice, Int) -> MeasuredCell?) throws -> ExperimentImages {
        var strips: [SamplerCell: InterpolationStrip] = [:]
        for steps in request.steps {
            for sampler in request.samplers {
                guard case .strip(let strip) = firstSeed(sampler, steps)?.images else {
                    throw ExperimentError("experiment '\(request.name)': the \(sampler.rawValue) item at \(steps) steps holds no interpolation strip")
                }
                strips[SamplerCell(sampler: sampler, steps: steps)] = strip
            }
        }
        return .strips(strips)
    }

    /// Each cell's edit pairs; every cell must hold as many as the first (whose pairs name the figures).
    private static func edits(_ request: ExperimentRequest, _ firstSeed: (SamplerChoice, Int) -> MeasuredCell?) throws -> ExperimentImages {
        var edits: [SamplerCell: [EditPreview]] = [:]
        var pairs: Int?
        for steps in request.steps {
            for sampler in request.samplers {
                guard case .edits(let previews) = firstSeed(sampler, steps)?.images else {
                    throw ExperimentError("experiment '\(request.name)': the \(sampler.rawValue) item at \(steps) steps holds no edits")
                }
                let needed = pairs ?? previews.count
                guard previews.count >= needed else {
                    throw ExperimentError("experiment '\(request.name)': the \(sampler.rawValue) item at \(steps) steps holds \(previews.count) edits, not \(needed)")
                }
                pairs = needed
                edits[SamplerCell(sampler: sampler, steps: steps)] = previews
            }
        }
        return .edits(edits)
    }
}
