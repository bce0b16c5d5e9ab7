import Compute
import Diffusion
import Models
import Tensors

/// `ode_error`: how far each sampler's sample is from the exact probability-flow ODE solution from the
/// same noise (reference model only, solved in Double to 1e-10), over step counts; the slope of
/// log error against log steps is the sampler's global convergence order.
/// The error is the root mean square over every value of every sample, so that it scales like h^order.
public struct ConvergenceExperiment {
    public var settings: RunSettings
    /// Tolerance of the exact solve.
    public var tolerance: Double
    /// Exact solutions already solved; runs that share one (the cells of a study) solve each interval once.
    public var solutions: ExactSolutions

    public init(settings: RunSettings, tolerance: Double = 1e-10, solutions: ExactSolutions = ExactSolutions()) {
        self.settings = settings
        self.tolerance = tolerance
        self.solutions = solutions
    }

    public struct Output {
        public var records: [MetricRecord]
        /// The fitted order per sampler record name (least squares over all step counts).
        public var orders: [(sampler: String, order: Double)]
    }

    public func run(_ model: ExperimentModel, backend: any Backend) throws -> Output {
        try settings.validate()
        guard case .reference(let mixture) = model.kind else {
            throw ExperimentError("convergence needs the exact probability-flow ODE solution, which only the reference model (builtin:shapes, gmm:DIR) has; \(model.name) is a diffusers model")
        }
        let noise = SeededNoise.batch(seed: settings.seed, indices: 0..<settings.count, shape: model.sampleShape)
        let solver = ProbabilityFlowODESolver(density: mixture.density, relativeTolerance: tolerance, absoluteTolerance: tolerance)
        var records: [MetricRecord] = [], orders: [(String, Double)] = []
        for choice in settings.samplers {
            let sampler = try settings.sampler.sampler(choice)
            let name = settings.sampler.recordName(choice)
            var points: [(Double, Double)] = []
            for n in settings.steps {
                let grid = try settings.grid(model.schedule, steps: n)
                let start = grid.alphaBars[0], end = grid.alphaBars[n]
                let exact = solutions.solution(ExactSolutions.Key(seed: settings.seed, count: settings.count, tolerance: tolerance, from: start, to: end)) {
                    settings.progress?(.exactSolution(from: start, to: end))
                    return solver.solve(noise, fromAlphaCumprod: start, toAlphaCumprod: end)
                }
                var final = FinalStates(model: model, experiment: "convergence", sampler: name, steps: n)
                for range in Batches.ranges(count: settings.count, size: settings.batchSize) {
                    let state = try sampler.sample(from: .noise(backend.tensor(slice(noise, range))), grid: grid, model: model.predictor,
                                                   conditioning: .unconditional, progress: settings.stepProgress(sampler: name, steps: n, items: nil, phase: .sampling))
                    try final.append(state.x)
                }
                let out = final.stateTensor.scalars
                let error = ImageMetrics.meanSquaredError(out, exact.scalars).squareRoot()
                points.append((Double(n), error))
                records.append(MetricRecord(experiment: "convergence", model: model.name, sampler: name, steps: n,
                                            metric: "ode_error", value: error, count: settings.count))
            }
            if points.count >= 2 { orders.append((name, ConvergenceOrder.fit(points))) }
        }
        try FiniteResults.check(records)
        return Output(records: records, orders: orders)
    }
}

/// Exact ODE solutions of the reference model from seeded noise, kept by what determines them. The model is
/// the one a convergence run is given: share an instance only between runs of one model and spread.
public final class ExactSolutions: @unchecked Sendable {
    public struct Key: Hashable, Sendable {
        public var seed: Int
        public var count: Int
        public var tolerance: Double
        public var from: Double
        public var to: Double
    }

    private let lock = NSLock()
    private var solved: [Key: HostTensor] = [:]

    public init() {}

    /// The solution under `key`, solved by `solve` the first time it is asked for.
    func solution(_ key: Key, solve: () -> HostTensor) -> HostTensor {
        lock.lock()
        defer { lock.unlock() }
        if let known = solved[key] { return known }
        let solution = solve()
        solved[key] = solution
        return solution
    }
}

/// The order p of err ≈ C · N^(−p): minus the least-squares slope of log err against log N.
public enum ConvergenceOrder {
    public static func fit(_ points: [(steps: Double, error: Double)]) -> Double {
        let xs = points.map { log($0.steps) }, ys = points.map { log(max($0.error, 1e-300)) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        return -sxy / sxx
    }
}

import Foundation
