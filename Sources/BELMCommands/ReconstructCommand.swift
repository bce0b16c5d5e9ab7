import ArgumentParser
import Experiments
import Foundation

/// `belm reconstruct`: invert real images and sample back; the round-trip error per sampler and step count.
public struct ReconstructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Invert images of the model's set to noise and sample back; report MSE, PSNR and SSIM per sampler and step count.",
        discussion: """
        Takes --count images spread evenly over the set. Writes OUT/reconstruct-<sampler>-<steps>.png (the \
        originals on the first row, the reconstructions below), OUT/originals.png and OUT/metrics.json; with \
        --json the metric records also go to stdout.
        """)

    @OptionGroup public var options: ExperimentOptions

    @Flag(help: "Print the metric records as JSON on stdout.")
    public var json = false

    @Option(help: "The output folder.")
    public var out = "belm-reconstruct"

    public init() {}

    public func run() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        let model = try options.loadModel(backend: backend)
        let result = try ReconstructionExperiment(settings: settings).run(model, backend: backend)
        let output = ExperimentOutput(out)
        try output.writeGrid(result.originals, columns: 8, name: "originals.png")
        for run in result.reconstructions {
            try output.writeGrid(stacked(result.originals, run.samples), columns: min(settings.count, 8) == settings.count ? settings.count : 8,
                                 name: "reconstruct-\(run.sampler)-\(run.steps).png")
        }
        try output.writeMetrics(result.records)
        if json { print(MetricsJSON.encode(result.records), terminator: "") }
    }
}

import Tensors

/// Two batches of one shape, one after the other.
func stacked(_ a: HostTensor, _ b: HostTensor) -> HostTensor {
    HostTensor(shape: [a.shape[0] + b.shape[0]] + a.shape.dropFirst(), scalars: a.scalars + b.scalars)
}
