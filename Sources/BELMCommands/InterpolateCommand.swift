import ArgumentParser
import Experiments
import Foundation

/// `belm interpolate`: strips between two noises or two real images.
public struct InterpolateCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Sample a slerp path between two noises (or two inverted images) with each sampler; write one strip per run.",
        discussion: """
        Between two noises: samples 0 and 1 of --seed, or --noise FILE.safetensors (tensor "sample", [2, C, H, W]). \
        Between two real images: --images I,J (indices into the model's set), inverted by each sampler. The \
        slerp is over the whole vector. Writes OUT/interpolate-<sampler>-<steps>.png and OUT/metrics.json (with \
        --images: the MSE of the strip's ends against the two images).
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(help: "Points on the path, ends included.")
    public var points = 11

    @Option(help: "Two image indices I,J of the model's set: interpolate between their inversions.")
    public var images: String?

    @Option(help: "The two endpoint noises: a safetensors file with tensor \"sample\" [2, C, H, W].")
    public var noise: String?

    @Option(help: "Write the strips to this safetensors file (tensor \"sample\"; \"<sampler>_<steps>\" for several runs).")
    public var saveTensors: String?

    @Option(help: "The output folder.")
    public var out = "belm-interpolate"

    public init() {}

    public func run() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        let endpoints: InterpolationExperiment.Endpoints
        if let images {
            guard noise == nil else { throw ValidationError("--images and --noise exclude each other") }
            let parts = images.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2 else { throw ValidationError("--images takes two image indices, e.g. --images 0,40") }
            endpoints = .images(parts[0], parts[1])
        } else {
            endpoints = .noise(try noise.map(TensorExport.readNoise))
        }
        let model = try options.loadModel(backend: backend)
        let result = try InterpolationExperiment(settings: settings, endpoints: endpoints, points: points).run(model, backend: backend)
        let output = ExperimentOutput(out)
        for strip in result.strips {
            try output.writeGrid(strip.samples, columns: points, name: "interpolate-\(strip.sampler)-\(strip.steps).png")
        }
        try output.writeMetrics(result.records)
        if let saveTensors { try TensorExport.write(result.strips, to: saveTensors) }
    }
}
