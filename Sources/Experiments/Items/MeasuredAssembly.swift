import Foundation

/// Turns the items of an interpolation, editing or convergence request into its result: per (sampler, steps)
/// cell, each metric's count-weighted mean over its items in seed order (a cell of one item keeps the value
/// as measured), so the numbers are the same however the items were computed; the figures from the first seed.
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
        let figures: [ImageFigure]
        switch request.kind {
        case .interpolation:
            figures = try interpolationFigure(request, firstSeed).map { [$0] } ?? []
        case .editing:
            figures = try editingFigures(request, firstSeed)
            notes.append("Inversion stops at state \(request.editFreezeStep); sampling resumes from there under the target \(request.prompts.isEmpty ? "class" : "prompt") with classifier-free guidance \(request.editGuidance).")
        case .convergence:
            figures = []
            notes.append("Errors are measured against the exact probability-flow ODE solution from the same noise, solved in Double to a tolerance of 1e-10; the mixture's component std is \(request.mixtureSpread).")
        case .sampling, .reconstruction:
            throw ExperimentError("experiment '\(request.name)': \(request.kind.rawValue) is assembled from its cells' sums")
        }
        if request.seeds.count > 1 {
            notes.append("Metrics are means over the seeds \(request.seeds.map(String.init).joined(separator: ", ")); the figures show seed \(request.seeds[0]).")
        }
        return ExperimentResult(records: records.sorted(by: MetricRecord.canonicalOrder), figures: figures, notes: notes)
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

    private static func interpolationFigure(_ request: ExperimentRequest, _ firstSeed: (SamplerChoice, Int) -> MeasuredCell?) throws -> ImageFigure? {
        func strip(_ sampler: SamplerChoice, _ steps: Int) throws -> InterpolationStrip {
            guard case .strip(let strip) = firstSeed(sampler, steps)?.images else {
                throw ExperimentError("experiment '\(request.name)': the \(sampler.rawValue) item at \(steps) steps holds no interpolation strip")
            }
            return strip
        }
        guard let sampler = request.samplers.first, let steps = request.steps.first else { return nil }
        let ends = try strip(sampler, steps)
        let frames = request.frames
        let ts = (0..<frames).map { String(format: "%.2g", Double($0) / Double(frames - 1)) }
        var rows = [ImageRow(label: "endpoints", cells: (0..<frames).map { k in
            k == 0 ? ImageCell(images: [ends.endpoints[0]]) : k == frames - 1 ? ImageCell(images: [ends.endpoints[1]]) : ImageCell(images: [])
        })]
        for n in request.steps {
            for choice in request.samplers {
                let name = request.samplerSettings.displayName(choice)
                rows.append(ImageRow(label: request.steps.count > 1 ? "\(name), \(n) steps" : name,
                                     cells: zip(ts, try strip(choice, n).frames).map { ImageCell(images: [LabeledImage(label: "t = \($0)", image: $1)]) }))
            }
        }
        return ImageFigure(id: "strips", title: "Interpolation strips.",
                           caption: "Images \(ends.first) and \(ends.second) inverted, their noises blended spherically, each blend sampled back; the first and last frames should reproduce the images.",
                           columns: ts.map { "t = \($0)" }, rows: rows)
    }

    private static func editingFigures(_ request: ExperimentRequest, _ firstSeed: (SamplerChoice, Int) -> MeasuredCell?) throws -> [ImageFigure] {
        func previews(_ sampler: SamplerChoice, _ steps: Int) throws -> [EditPreview] {
            guard case .edits(let previews) = firstSeed(sampler, steps)?.images else {
                throw ExperimentError("experiment '\(request.name)': the \(sampler.rawValue) item at \(steps) steps holds no edits")
            }
            return previews
        }
        guard let sampler = request.samplers.first, let steps = request.steps.first else { return [] }
        let freeze = request.editFreezeStep, guidance = request.editGuidance
        return try previews(sampler, steps).indices.map { pair in
            let names = try previews(sampler, steps)[pair]
            return ImageFigure(
                id: names.id, title: "\(names.sourceName) → \(names.targetName).",
                caption: "Source and edit of the first image (drag the slider); inverted to state \(freeze), sampled under class \(names.targetName) with guidance \(guidance).",
                columns: request.samplers.map(request.samplerSettings.displayName),
                rows: try request.steps.map { n in
                    ImageRow(label: "\(n) steps", cells: try request.samplers.map { choice in
                        let all = try previews(choice, n)
                        guard all.indices.contains(pair) else {
                            throw ExperimentError("experiment '\(request.name)': the \(choice.rawValue) item at \(n) steps holds \(all.count) edits, not \(pair + 1)")
                        }
                        return ImageCell(images: [LabeledImage(label: "source (\(names.sourceName))", image: all[pair].source),
                                                  LabeledImage(label: "edit (\(names.targetName))", image: all[pair].edit)], compare: true)
                    })
                })
        }
    }
}
