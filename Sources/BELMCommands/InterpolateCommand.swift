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

    @Option(parsing: .unconditional, help: "Points on the path, ends included.")
    public var points = 11

    @Option(help: "Two image indices I,J of the model's set: interpolate between their inversions.")
    public var images: String?

    @Option(parsing: .upToNextOption, help: "Two image files: interpolate between their inversions.")
    public var image: [String] = []

    @Option(help: "The two endpoint noises: a safetensors file with tensor \"sample\" [2, C, H, W].")
    public var noise: String?

    @Option(help: "Write the strips' final states to this safetensors file: tensor \"sample\" (\"<sampler>_<steps>\" for several runs); for Stable Diffusion the final latents, with the decoded images, unclamped, as \"image\" (\"<sampler>_<steps>_image\").")
    public var saveTensors: String?

    @Option(help: "The output folder.")
    public var out = "belm-interpolate"

    public init() {}

    public func run() throws { try namingFlags(interpolate) }

    private func interpolate() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        try ExperimentOutput.checkWritable(out, as: .folder, option: "--out")
        try ExperimentOutput.checkWritable(saveTensors, as: .file, option: "--save-tensors")
        var endpoints: InterpolationExperiment.Endpoints
        if !image.isEmpty { guard images == nil, noise == nil else { throw ValidationError("--image excludes --images and --noise") } }
        if let images {
            guard noise == nil else { throw ValidationError("--images and --noise exclude each other") }
            let parts = images.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2 else { throw ValidationError("--images takes two image indices, e.g. --images 0,40") }
            endpoints = .images(parts[0], parts[1])
        } else {
            endpoints = .noise(try noise.map(TensorExport.readNoise))
        }
        let model = try options.loadModel(backend: backend)

        if let given = try options.inputImages(image, for: model) {
            guard given.shape[0] == 2 else { throw ValidationError("--image takes exactly two images to interpolate between, got \(given.shape[0])") }
            endpoints = .files(given)
        }
        let result = try InterpolationExperiment(settings: settings, endpoints: endpoints, points: points).run(model, backend: backend)
        var output = ExperimentOutput(out)
        for strip in result.strips {
            try output.addGrid(strip.samples, columns: points, name: "interpolate-\(strip.sampler)-\(strip.steps).png")
        }
        output.addMetrics(result.records)
        if let saveTensors { output.addTensors(result.strips, to: saveTensors) }
        try output.commit()
    }
}
