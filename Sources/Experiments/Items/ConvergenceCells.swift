import Compute

/// Convergence items: one sampler at one step count for one seed. The exact ODE solutions are solved once
/// per seed in a process and shared by its items (each item of another process solves its own: the same bits).
struct ConvergenceCells: CellRunner {
    let request: ExperimentRequest
    let model: ExperimentModel
    let batchSize: Int
    let backend: any Backend
    let solutions = ExactSolutions()

    func run(_ cell: CellItem, progress: ((ExperimentStep) -> Void)?) throws -> ItemResult {
        let settings = RunSettings(samplers: [cell.sampler], steps: [cell.steps], sampler: request.samplerSettings,
                                   seed: cell.seed, count: request.count, batchSize: batchSize, progress: progress)
        let output = try ConvergenceExperiment(settings: settings, solutions: solutions).run(model, backend: backend)
        return .measured(MeasuredCell(metrics: output.records.map { MeasuredMetric(metric: $0.metric, value: $0.value, count: $0.count) },
                                      images: .none))
    }
}
