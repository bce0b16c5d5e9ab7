import Compute
import FID
import Foundation
import Models
import Tensors

/// Runs the site's experiment requests on any model `ExperimentModel.load` takes (the reference model
/// `builtin:shapes` / `gmm:DIR`, `builtin:shapes-unet`, a diffusers folder) with the experiments of this
/// module, and turns their outputs into the site's records and figures: galleries with samplers as columns
/// and step counts as rows, round trips with error maps, interpolation strips, edits.
///
/// Sampling and reconstruction run as cell work items (`WorkItems`, `CellSweep`) and are assembled from the
/// items' sums and galleries (`CellAssembly`); interpolation, editing and convergence run whole, several seeds
/// one after the other, their records merged into count-weighted means, the figures from the first seed.
///
/// Reconstructions, interpolations and edits start from the model's own image set (the reference model's, or
/// the set `builtin:shapes-unet` was trained on), else from the experiment's `images:` folder.
public struct ModelExperimentRunner: ExperimentRunner {
    /// Bump whenever a change here or in the samplers, models or metrics can change a number or an image.
    public var codeVersion = "belm-experiments-4"
    public var supportedKinds: Set<ExperimentKind> = Set(ExperimentKind.allCases)
    public var batchSize: Int
    public var locator: BuiltinModelLocator

    public init(batchSize: Int = 8, locator: BuiltinModelLocator = .standard) {
        self.batchSize = batchSize
        self.locator = locator
    }

    /// `builtin:shapes` names itself (its images are drawn by code under `codeVersion`); a builtin diffusers
    /// model, a `gmm:` folder or a diffusers folder is the digest of its files.
    public func modelDigest(_ model: String, digests: FileDigests) throws -> String {
        if model.hasPrefix("builtin:") {
            let name = String(model.dropFirst("builtin:".count))
            guard BuiltinModelLocator.diffusersNames.contains(name) else { return model }
            return try ModelDigest.folder(try locator.folder(named: name).path, digests: digests)
        }
        let folder = model.hasPrefix("gmm:") ? String(model.dropFirst(4)) : model
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("model folder \(folder) does not exist")
        }
        return try ModelDigest.folder(folder, digests: digests)
    }

    /// Sampling and reconstruction split into cell items (see `WorkItems`); the other kinds are one item.
    public func workItems(for request: ExperimentRequest) -> [WorkItem] { WorkItems.plan(request, count: Self.imageCount(request)) }

    /// The images a reconstruction inverts: `count`, or all of its `images:` folder when that holds fewer.
    /// A folder that cannot be listed counts as `count` here; running the items then says what is wrong.
    static func imageCount(_ request: ExperimentRequest) -> Int {
        guard request.kind == .reconstruction, let folder = request.images, let files = try? InputImages.files([folder]) else { return request.count }
        return min(request.count, files.count)
    }

    /// Loads the model once, then runs the items in the order given.
    public func runItems(_ items: [WorkItem], of request: ExperimentRequest, backend: any Backend,
                         progress: @escaping @Sendable (ExperimentProgress) -> Void,
                         completed: (WorkItem, ItemResult) throws -> Void) throws {
        guard !items.isEmpty else { return }
        let model = try ExperimentModel.load(request.model, spread: request.spread ?? GaussianMixtureModel.defaultSpread,
                                             locator: locator, backend: backend)
        try Self.check(request, model: model)
        // A reconstruction's `images:` folder is read item by item (10,000 photos do not fit in memory at once).
        let sources = request.kind == .reconstruction && request.images != nil ? .none : try Self.sourceImages(request, model: model)
        guard WorkItems.splitsByIndex(request.kind) else {
            for item in items { try completed(item, .whole(try runWhole(request, model: model, sources: sources, backend: backend, progress: progress))) }
            return
        }
        let sweep = try CellSweep(request: request, model: model, batchSize: batchSize, backend: backend)
        let total = items.map(\.cost).reduce(0, +)
        var done = 0
        for item in items {
            guard case .cell(let cell) = item.scope else { throw ExperimentError("experiment '\(request.name)': \(item.label) is not a cell item") }
            progress(ExperimentProgress(experiment: request.name, stage: cell.label, done: done, total: total))
            try completed(item, .cell(try sweep.run(cell, backend: backend)))
            done += item.cost
        }
        progress(ExperimentProgress(experiment: request.name, stage: "done", done: total, total: total))
    }

    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)]) throws -> ExperimentResult {
        try assemble(request, items: items, fidReference: nil, features: nil)
    }

    /// `fidReference` is required when the request has `fid:` (see `FIDReference`); `features`, when the
    /// results were passed without their features (see `ItemFeatureReader`).
    public func assemble(_ request: ExperimentRequest, items: [(WorkItem, ItemResult)], fidReference: FIDStatistics?,
                         features: ItemFeatureReader?) throws -> ExperimentResult {
        guard WorkItems.splitsByIndex(request.kind) else {
            guard items.count == 1, case .whole(let result) = items[0].1 else {
                throw ExperimentError("experiment '\(request.name)': expected one whole-experiment item, got \(items.count)")
            }
            return result
        }
        return try CellAssembly.result(request, count: Self.imageCount(request), fidReference: fidReference, features: features, items: items.map { item, result in
            guard case .cell(let cell) = result else { throw ExperimentError("experiment '\(request.name)': \(item.label) holds a whole-experiment result") }
            return (item, cell)
        })
    }

    /// The whole experiment in this process: its items one after the other, then assembled.
    public func run(_ request: ExperimentRequest, backend: any Backend,
                    progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
        var results: [(WorkItem, ItemResult)] = []
        try runItems(workItems(for: request), of: request, backend: backend, progress: progress) { results.append(($0, $1)) }
        let reference = try request.fid.map { try FIDReference.statistics($0, backend: backend) }
        return try assemble(request, items: results, fidReference: reference, features: nil)
    }

    /// Interpolation, editing and convergence: every seed in turn, records merged into count-weighted means,
    /// figures from the first seed.
    private func runWhole(_ request: ExperimentRequest, model: ExperimentModel, sources: Sources, backend: any Backend,
                          progress: @escaping @Sendable (ExperimentProgress) -> Void) throws -> ExperimentResult {
        let tracker = ProgressTracker(request: request, batches: Batches.ranges(count: request.count, size: batchSize).count,
                                      freezeStep: editFreezeStep(request), report: progress)
        var parts: [ExperimentResult] = []
        for (index, seed) in request.seeds.enumerated() {
            let settings = RunSettings(samplers: request.samplers, steps: request.steps,
                                       sampler: SamplerSettings(edictP: request.edictP, bdiaGamma: request.bdiaGamma),
                                       seed: seed, count: request.count, batchSize: batchSize,
                                       progress: { tracker.handle($0, seed: index) })
            let figures = index == 0
            switch request.kind {
            case .interpolation: parts.append(try interpolation(request, settings: settings, model: model, sources: sources, backend: backend, seedIndex: index, figures: figures))
            case .editing: parts.append(try editing(request, settings: settings, model: model, sources: sources, backend: backend, figures: figures))
            case .convergence: parts.append(try convergence(request, settings: settings, model: model, backend: backend))
            case .sampling, .reconstruction: preconditionFailure("sampling and reconstruction run as cell items")
            }
        }
        let records = Self.merge(parts.flatMap(\.records), experiment: request.name, model: request.model)
        var notes = parts.first?.notes ?? []
        if request.seeds.count > 1 { notes.append("Metrics are means over the seeds \(request.seeds.map(String.init).joined(separator: ", ")); the figures show seed \(request.seeds[0]).") }
        return ExperimentResult(records: records, figures: parts.first?.figures ?? [], notes: notes)
    }

    /// Refuses what the model cannot run, before any work: prompts for class models, classes for prompt
    /// models, convergence without the exact ODE solution.
    static func check(_ request: ExperimentRequest, model: ExperimentModel) throws {
        let experiment = "experiment '\(request.name)'"
        if request.kind == .convergence, case .diffusers = model.kind {
            throw ExperimentError("\(experiment): convergence measures the distance to the exact ODE solution, which only the reference model (builtin:shapes, gmm:DIR) has; \(request.model) is a diffusers model, so run convergence on the reference model")
        }
        if !request.prompts.isEmpty && !model.takesPrompts {
            throw ExperimentError("\(experiment): \(request.model) takes class labels, not prompts; use `classes:` (prompts need a text-conditioned model such as SD1.5)")
        }
        if model.takesPrompts && !request.classes.isEmpty {
            throw ExperimentError("\(experiment): \(request.model) is conditioned on prompts, not classes; use `prompts:`")
        }
        if model.takesPrompts && request.kind == .editing && request.prompts.isEmpty {
            throw ExperimentError("\(experiment): editing \(request.model) needs `prompts:` (the sources) and `targets:` (one prompt each)")
        }
    }

    /// The images reconstruction, interpolation and editing start from.
    enum Sources {
        /// The model's own labelled set.
        case set(LabeledImageSet)
        /// The `images:` folder, at the model's image shape, in name order.
        case files(HostTensor)
        /// Sampling and convergence need none.
        case none
    }

    static func sourceImages(_ request: ExperimentRequest, model: ExperimentModel) throws -> Sources {
        guard [.reconstruction, .interpolation, .editing].contains(request.kind) else { return .none }
        if let folder = request.images {
            let shape = model.imageShape
            let images = try InputImages.load([folder], channels: shape[0], side: shape[1])
            if request.kind == .interpolation && images.shape[0] < 2 {
                throw ExperimentError("experiment '\(request.name)': interpolation needs two images, and the folder \(folder) (`images:`) holds one")
            }
            return .files(images)
        }
        if request.kind == .editing && !request.prompts.isEmpty {
            throw ExperimentError("experiment '\(request.name)': \(request.model) has no image set of its own; set `images:` to a folder of PNG or JPEG images to edit")
        }
        guard let set = model.imageSet else {
            throw ExperimentError("experiment '\(request.name)': \(request.model) has no image set of its own; set `images:` to a folder of PNG or JPEG images to invert")
        }
        return .set(set)
    }

    /// The first `count` images of a folder (all when it holds fewer).
    static func first(_ count: Int, of images: HostTensor) -> HostTensor {
        let n = min(count, images.shape[0]), size = images.shape.dropFirst().reduce(1, *)
        return HostTensor(shape: [n] + Array(images.shape.dropFirst()), scalars: Array(images.scalars.prefix(n * size)))
    }

    // MARK: Experiments

    private func interpolation(_ request: ExperimentRequest, settings: RunSettings, model: ExperimentModel, sources: Sources, backend: any Backend, seedIndex: Int, figures: Bool) throws -> ExperimentResult {
        let first: Int, second: Int, endpoints: InterpolationExperiment.Endpoints
        switch sources {
        case .set(let set):
            // The first images of two different classes (classes taken in turn with the seed), when the set has two.
            let classCount = max(1, Set(set.labels).count)
            let firstClass = seedIndex % classCount, secondClass = (seedIndex + 1) % classCount
            first = set.indices(ofClass: firstClass).first ?? 0
            second = set.indices(ofClass: secondClass).first { $0 != first } ?? (first + 1) % set.count
            endpoints = .images(first, second)
        case .files(let given):
            // The folder's images in name order, pairs taken in turn with the seed.
            let count = given.shape[0], size = given.shape.dropFirst().reduce(1, *)
            first = (2 * seedIndex) % count
            second = (first + 1) % count
            endpoints = .files(HostTensor(shape: [2] + Array(given.shape.dropFirst()),
                                          scalars: Array(given.scalars[(first * size)..<((first + 1) * size)] + given.scalars[(second * size)..<((second + 1) * size)])))
        case .none:
            preconditionFailure("sourceImages gives interpolation its images")
        }
        let output = try InterpolationExperiment(settings: settings, endpoints: endpoints, points: request.frames).run(model, backend: backend)
        guard figures else { return ExperimentResult(records: output.records, figures: []) }
        let ends = PlanarImage.batch(output.endpoints)
        let ts = (0..<request.frames).map { String(format: "%.2g", Double($0) / Double(request.frames - 1)) }
        var rows = [ImageRow(label: "endpoints", cells: (0..<request.frames).map { k in
            k == 0 ? ImageCell(images: [LabeledImage(label: "image \(first)", image: RGBImage(ends[0]))])
                : k == request.frames - 1 ? ImageCell(images: [LabeledImage(label: "image \(second)", image: RGBImage(ends[1]))])
                : ImageCell(images: [])
        })]
        for n in request.steps {
            for choice in request.samplers {
                let strip = PlanarImage.batch(output.strips.first { $0.sampler == choice.rawValue && $0.steps == n }!.samples)
                rows.append(ImageRow(label: request.steps.count > 1 ? "\(choice.displayName), \(n) steps" : choice.displayName,
                                     cells: zip(ts, strip).map { ImageCell(images: [LabeledImage(label: "t = \($0)", image: RGBImage($1))]) }))
            }
        }
        let figure = ImageFigure(id: "strips", title: "Interpolation strips.",
                                 caption: "Images \(first) and \(second) inverted, their noises blended spherically, each blend sampled back; the first and last frames should reproduce the images.",
                                 columns: ts.map { "t = \($0)" }, rows: rows)
        return ExperimentResult(records: output.records, figures: [figure])
    }

    private func editFreezeStep(_ request: ExperimentRequest) -> Int {
        request.freezeStep ?? max(0, (request.steps.min() ?? 10) / 5)
    }

    private func editing(_ request: ExperimentRequest, settings: RunSettings, model: ExperimentModel, sources: Sources, backend: any Backend, figures: Bool) throws -> ExperimentResult {
        let freeze = editFreezeStep(request), guidance = request.guidance ?? 3
        var images: HostTensor?
        if case .files(let given) = sources { images = Self.first(request.count, of: given) }
        // (source, target, their names, a figure id) per edit: class to class, or prompt to prompt.
        let pairs: [(ExperimentCondition, ExperimentCondition, (String, String), String)]
        if request.prompts.isEmpty {
            pairs = try zip(request.classes, request.targets).map { source, text in
                let target = try model.classIndex(text)
                return (.label(source), .label(target), (model.classNames[source], model.classNames[target]), "edit-\(source)-to-\(target)")
            }
        } else {
            pairs = zip(request.prompts, request.targets).enumerated().map { i, pair in
                (.prompt(pair.0), .prompt(pair.1), pair, "edit-\(i + 1)")
            }
        }
        var records: [MetricRecord] = [], figureList: [ImageFigure] = []
        for (source, target, names, id) in pairs {
            let output = try EditingExperiment(settings: settings, source: source, target: target, freezeStep: freeze, guidance: guidance,
                                               images: images).run(model, backend: backend)
            records += output.records
            guard figures else { continue }
            let sources = PlanarImage.batch(output.sources)
            figureList.append(ImageFigure(
                id: id, title: "\(names.0) → \(names.1).",
                caption: "Source and edit of the first image (drag the slider); inverted to state \(freeze), sampled under class \(names.1) with guidance \(guidance).",
                columns: request.samplers.map(\.displayName),
                rows: request.steps.map { n in
                    ImageRow(label: "\(n) steps", cells: request.samplers.map { choice in
                        let edits = PlanarImage.batch(output.edits.first { $0.sampler == choice.rawValue && $0.steps == n }!.samples)
                        return ImageCell(images: [LabeledImage(label: "source (\(names.0))", image: RGBImage(sources[0])),
                                                  LabeledImage(label: "edit (\(names.1))", image: RGBImage(edits[0]))], compare: true)
                    })
                }))
        }
        return ExperimentResult(records: records, figures: figureList,
                                notes: ["Inversion stops at state \(freeze); sampling resumes from there under the target \(request.prompts.isEmpty ? "class" : "prompt") with classifier-free guidance \(guidance)."])
    }

    private func convergence(_ request: ExperimentRequest, settings: RunSettings, model: ExperimentModel, backend: any Backend) throws -> ExperimentResult {
        let output = try ConvergenceExperiment(settings: settings).run(model, backend: backend)
        return ExperimentResult(records: output.records, figures: [],
                                notes: ["Errors are measured against the exact probability-flow ODE solution from the same noise, solved in Double to a tolerance of 1e-10; the mixture's component std is \(request.spread ?? GaussianMixtureModel.defaultSpread)."])
    }

    // MARK: Helpers

    /// The power of ten that makes the largest round-trip error of a figure show (|error| ≥ 1 is white),
    /// shared by the whole figure so that the samplers' maps compare; at most 10⁶.
    static func amplification(forLargestError error: Float) -> Float {
        guard error > 0 else { return 1_000_000 }
        return Float(min(1e6, max(1, pow(10, (log10(2 / Double(error))).rounded(.up)))))
    }

    /// One record per (sampler, steps, metric): count-weighted means over seeds (and over edit pairs),
    /// renamed to the experiment and model of the request.
    static func merge(_ records: [MetricRecord], experiment: String, model: String) -> [MetricRecord] {
        var sums: [String: (record: MetricRecord, weighted: Double, count: Int)] = [:]
        var order: [String] = []
        for record in records {
            let key = "\(record.sampler)|\(record.steps)|\(record.metric)"
            if var entry = sums[key] {
                entry.weighted += record.value * Double(record.count)
                entry.count += record.count
                sums[key] = entry
            } else {
                sums[key] = (record, record.value * Double(record.count), record.count)
                order.append(key)
            }
        }
        return order.map { key in
            let entry = sums[key]!
            var record = entry.record
            record.experiment = experiment
            record.model = model
            if entry.count != record.count { record.value = entry.weighted / Double(entry.count) }
            record.count = entry.count
            return record
        }.sorted(by: MetricRecord.canonicalOrder)
    }
}

/// Turns the experiments' progress lines ("belm 20 steps, images 0–7, inversion: step 10/20") into overall
/// progress, counting model evaluations' worth of steps so that the time left is about right.
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private let name: String
    private let kind: ExperimentKind
    private let total: Int
    private var finished = 0
    private var current = 0
    private let report: @Sendable (ExperimentProgress) -> Void

    init(request: ExperimentRequest, batches: Int, freezeStep: Int, report: @escaping @Sendable (ExperimentProgress) -> Void) {
        name = request.name
        kind = request.kind
        self.report = report
        let perSeed = request.samplers.count * request.steps.reduce(0) { sum, n in
            switch request.kind {
            case .sampling, .convergence: sum + n * batches
            case .reconstruction: sum + 2 * n * batches
            case .editing: sum + 2 * (n - min(freezeStep, n)) * batches * max(1, request.classes.count, request.prompts.count)
            case .interpolation: sum + n * request.frames
            }
        }
        total = max(1, perSeed * request.seeds.count)
    }

    func handle(_ line: String, seed: Int) {
        lock.lock()
        let numbers = line.matches(of: /(\d+)\/(\d+)$/).first.map { (Int($0.1)!, Int($0.2)!) }
        let steps = line.matches(of: /(\d+) steps/).first.map { Int($0.1)! } ?? 0
        if kind == .interpolation {
            finished += steps
        } else if let (done, of) = numbers {
            if done >= of { finished += of; current = 0 } else { current = done }
        }
        let progress = ExperimentProgress(experiment: name, stage: line, done: min(total, finished + current), total: total)
        lock.unlock()
        report(progress)
    }
}
