import ArgumentParser
import Experiments
import Foundation
import Models

/// `belm sample`: samples from the same noise with each sampler and step count.
public struct SampleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample from the same initial noise with each sampler and step count; write image grids and metrics.json.",
        discussion: """
        --model takes the reference model (builtin:shapes, gmm:DIR) or a diffusers UNet2DModel folder (its \
        scheduler_config.json sets the schedule; --schedule when it has none). The noise comes from --seed (sample i of a seed is the same whatever --count or --batch-size) or from \
        --noise FILE.safetensors (tensor "sample", [count, C, H, W]). Writes OUT/sample-<sampler>-<steps>.png \
        and OUT/metrics.json (nfe per sample); --save-tensors writes the final states at full precision.
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(help: "Class names or indices, comma-separated, cycled over the samples (class-conditional sampling).")
    public var classes: String?

    @Option(help: "Classifier-free guidance scale (with --classes).")
    public var guidance: Double?

    @Option(help: "Initial noise: a safetensors file with tensor \"sample\" [count, C, H, W].")
    public var noise: String?

    @Option(help: "Write the final states to this safetensors file (tensor \"sample\"; \"<sampler>_<steps>\" for several runs).")
    public var saveTensors: String?

    @Option(help: "The output folder.")
    public var out = "belm-sample"

    public init() {}

    public func run() throws {
        let backend = try options.backendOptions.makeBackend()
        var settings = try options.settings()
        let given = try noise.map(TensorExport.readNoise)
        if let given { settings.count = given.shape.first ?? 0 }
        let names = classes.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        if guidance != nil && names.isEmpty { throw ValidationError("--guidance needs --classes (the conditional side of the guidance)") }
        let target: SamplingTarget
        let labels: [Int]
        if try ReferenceModelSource.parse(options.model) != nil {
            let model = try options.loadModel(backend: backend)
            labels = try names.map { try model.classIndex($0) }
            target = SamplingTarget(name: model.name, predictor: model.predictor, schedule: model.schedule,
                                    sampleShape: model.sampleShape, classCount: model.classNames.count)
        } else {
            target = try .diffusers(options.model, fallback: try options.noiseSchedule(), backend: backend)
            labels = try names.map { name in
                guard let label = Int(name), label >= 0, label < target.classCount else {
                    throw ValidationError("--classes: \"\(name)\" is not a class index of \(options.model) (it has \(target.classCount) classes)")
                }
                return label
            }
        }
        let result = try SamplingExperiment(settings: settings, classes: labels, guidance: guidance, noise: given).run(target, backend: backend)
        let output = ExperimentOutput(out)
        for run in result.runs { try output.writeGrid(run.samples, columns: 8, name: "sample-\(run.sampler)-\(run.steps).png") }
        try output.writeMetrics(result.records)
        if let saveTensors { try TensorExport.write(result.runs, to: saveTensors) }
        FileHandle.standardError.write(Data("wrote \(result.runs.count) sample grids to \(output.folder.path)\n".utf8))
    }
}
