import Compute
import Models

/// The one driver of a request's work items, whatever its kind: loads the model once, refuses what the model
/// cannot run before any work, then runs the items in the order given on the kind's `CellRunner`, reporting
/// progress as typed events and handing each result over as soon as it is done, so that a process killed
/// midway keeps what it finished.
struct ExperimentSweep {
    let request: ExperimentRequest
    private let cells: any CellRunner

    init(request: ExperimentRequest, batchSize: Int, locator: BuiltinModelLocator, backend: any Backend) throws {
        self.request = request
        let model = try ExperimentModel.load(try ModelReference(parsing: request.model), spread: request.mixtureSpread,
                                             precision: request.precision, microConditioning: request.microConditioning ?? MicroConditioningSettings(),
                                             locator: locator, backend: backend)
        try ModelFit.check(request, model: model)
        // A reconstruction's `images:` folder is read item by item (10,000 photos do not fit in memory at once);
        // otherwise the source images are chosen (and a model without any refused) here.
        let sources = request.kind == .reconstruction && request.images != nil ? .none : try SourceImages.load(request, model: model)
        switch request.kind {
        case .sampling, .reconstruction:
            cells = try CellSweep(request: request, model: model, batchSize: batchSize, backend: backend)
        case .interpolation:
            cells = InterpolationCells(request: request, model: model, sources: sources, batchSize: batchSize, backend: backend)
        case .editing:
            cells = EditingCells(request: request, model: model, sources: sources, batchSize: batchSize, backend: backend)
        case .convergence:
            cells = ConvergenceCells(request: request, model: model, batchSize: batchSize, backend: backend)
        }
    }

    /// Runs `items` (some of `WorkItems.plan(request)`) in order. Progress counts the items' costs: `done` of
    /// `total` model evaluations, the stage naming the item, then the chain it is on.
    func run(_ items: [WorkItem], progress: @escaping @Sendable (ExperimentProgress) -> Void,
             completed: (WorkItem, ItemResult) throws -> Void) throws {
        let total = items.map(\.cost).reduce(0, +), name = request.name
        var done = 0
        for item in items {
            guard case .cell(let cell) = item.scope else {
                throw ExperimentError("experiment '\(name)': \(item.label) is not a cell item")
            }
            progress(ExperimentProgress(experiment: name, stage: cell.label, done: done, total: total))
            let before = done
            let result = try cells.run(cell) { step in
                progress(ExperimentProgress(experiment: name, stage: step.description, done: before, total: total))
            }
            try completed(item, result)
            done += item.cost
        }
        progress(ExperimentProgress(experiment: name, stage: "done", done: total, total: total))
    }
}
