import ArgumentParser
import Experiments
import Foundation

/// `belm convergence`: distance to the exact ODE solution over step counts, and the fitted orders.
public struct ConvergenceCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "convergence",
        abstract: "Measure each sampler's distance to the reference model's exact ODE solution (ode_error) and its convergence order.",
        discussion: """
        Samples --count seeded noises with each sampler at each step count and compares with the exact \
        probability-flow ODE solution from the same noise (RMS over all values). Writes OUT/metrics.json and \
        prints one line per sampler with the fitted order (minus the slope of log error against log steps). \
        Use --spread 0.3 for a smooth ODE where the asymptotic orders show.
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(parsing: .unconditional, help: "Tolerance of the exact ODE solve.")
    public var tolerance = 1e-10

    @Flag(help: "Print the metric records as JSON on stdout.")
    public var json = false

    @Option(help: "The output folder (default belm-convergence; with --json and no --out nothing is written but stdout).")
    public var out: String?

    public init() {}

    public func run() throws { try namingFlags(convergence) }

    /// The folder written to: `--out`, else `belm-convergence`, except with `--json`, which then writes
    /// nothing but stdout.
    var outputFolder: String? { out ?? (json ? nil : "belm-convergence") }

    private func convergence() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        try ExperimentOutput.checkWritable(outputFolder, as: .folder, option: "--out")
        let model = try options.loadModel(backend: backend)
        let result = try ConvergenceExperiment(settings: settings, tolerance: tolerance).run(model, backend: backend)
        var output = ExperimentOutput(outputFolder)
        output.addMetrics(result.records)
        try output.commit()
        if json {
            print(MetricsJSON.encode(result.records), terminator: "")
        } else {
            for record in result.records { print("\(record.sampler)\t\(record.steps) steps\tode_error \(record.value)") }
            for (sampler, order) in result.orders { print("\(sampler)\torder \(String(format: "%.2f", order))") }
        }
    }
}
