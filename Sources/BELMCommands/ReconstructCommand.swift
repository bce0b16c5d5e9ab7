import ArgumentParser
import Experiments
import Foundation

/// `belm reconstruct`: invert real images and sample back; the round-trip error per sampler and step count.
public struct ReconstructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Invert images of the model's set to noise and sample back; report MSE, PSNR and SSIM per sampler and step count.",
        discussion: """
        Takes --count images spread evenly over the model's set, or the images given with --image (files or \
        folders of PNGs, centre-cropped and resized to the model's size; needed for diffusers models). For a \
        Stable Diffusion folder the images are encoded with the VAE (posterior mean × scaling factor), inverted \
        and reconstructed under --prompt (empty by default), and decoded: mse is on the latents, mse_pixel, \
        psnr and ssim on the decoded images against the originals. Writes OUT/reconstruct-<sampler>-<steps>.png (the \
        originals on the first row, the reconstructions below), OUT/originals.png and OUT/metrics.json; with \
        --json the metric records also go to stdout, and without --out they go only there (no folder is written).
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(parsing: .upToNextOption, help: "Images to invert: PNG files or folders of them.")
    public var image: [String] = []

    @Option(help: "The prompt inversion and reconstruction are conditioned on (Stable Diffusion).")
    public var prompt: String?

    @Option(name: .customLong("class"), help: "The class inversion and reconstruction are conditioned on (class-conditional models; the null class by default).")
    public var classLabel: String?

    @Flag(help: "Print the metric records as JSON on stdout.")
    public var json = false

    @Option(help: "The output folder (default belm-reconstruct; with --json and no --out nothing is written but stdout).")
    public var out: String?

    public init() {}

    public func run() throws { try namingFlags(reconstruct) }

    /// The folder written to: `--out`, else `belm-reconstruct`, except with `--json`, which then writes
    /// nothing but stdout.
    var outputFolder: String? { out ?? (json ? nil : "belm-reconstruct") }

    private func reconstruct() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        try ExperimentOutput.checkWritable(outputFolder, as: .folder, option: "--out")
        let model = try options.loadModel(backend: backend)
        let images = try options.inputImages(image, for: model)
        var condition = ExperimentCondition.unconditional
        if let prompt { condition = .prompt(prompt) }
        if let classLabel {
            guard prompt == nil else { throw ValidationError("--prompt and --class exclude each other") }
            condition = .label(try model.classIndex(classLabel))
        }
        let result = try ReconstructionExperiment(settings: settings, images: images, condition: condition).run(model, backend: backend)
        let count = result.originals.shape[0]
        var output = ExperimentOutput(outputFolder)
        try output.addGrid(result.originals, columns: 8, name: "originals.png")
        for run in result.reconstructions {
            try output.addGrid(stacked(result.originals, run.samples), columns: min(count, 8),
                                 name: "reconstruct-\(run.sampler)-\(run.steps).png")
        }
        output.addMetrics(result.records)
        try output.commit()
        if json { print(MetricsJSON.encode(result.records), terminator: "") }
    }
}

import Tensors

/// Two batches of one shape, one after the other.
func stacked(_ a: HostTensor, _ b: HostTensor) -> HostTensor {
    HostTensor(shape: [a.shape[0] + b.shape[0]] + a.shape.dropFirst(), scalars: a.scalars + b.scalars)
}
