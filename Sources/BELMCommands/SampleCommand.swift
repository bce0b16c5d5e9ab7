import ArgumentParser
import Experiments
import Foundation

/// `belm sample`: samples from the same noise with each sampler and step count.
public struct SampleCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample from the same initial noise with each sampler and step count; write image grids and metrics.json.",
        discussion: """
        The noise comes from --seed (sample i of a seed is the same whatever --count or --batch-size) or from \
        --noise FILE.safetensors (tensor "sample", [count, C, H, W]). Writes OUT/sample-<sampler>-<steps>.png \
        and OUT/metrics.json (nfe per sample); --save-tensors writes the final states at full precision (Stable \
        Diffusion: the final latents as "sample" and their decoded images, unclamped, as "image"). All files are \
        written at the end, together, or none when the run fails.
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(help: "Class names or indices, comma-separated, cycled over the samples (class-conditional sampling).")
    public var classes: String?

    @Option(help: "Prompts (Stable Diffusion), one per option, cycled over the samples.")
    public var prompt: [String] = []

    @Option(help: "Negative prompt: the unconditional branch of the guidance in place of the empty prompt.")
    public var negativePrompt: String?

    @Option(parsing: .unconditional, help: "Classifier-free guidance scale in [0, 100] (with --classes or --prompt).")
    public var guidance: Double?

    @Option(help: "Initial noise: a safetensors file with tensor \"sample\" [count, C, H, W].")
    public var noise: String?

    @Option(help: "Write the final states at full precision to this safetensors file: tensor \"sample\" (\"<sampler>_<steps>\" for several runs); for Stable Diffusion the final latents, with the decoded images, unclamped, as \"image\" (\"<sampler>_<steps>_image\").")
    public var saveTensors: String?

    @Option(help: "The output folder.")
    public var out = "belm-sample"

    public init() {}

    public func run() throws { try namingFlags(sample) }

    private func sample() throws {
        let backend = try options.backendOptions.makeBackend()
        var settings = try options.settings()
        try SettingLimits.checkGuidance(guidance)
        try ExperimentOutput.checkWritable(out, as: .folder, option: "--out")
        try ExperimentOutput.checkWritable(saveTensors, as: .file, option: "--save-tensors")
        let given = try noise.map(TensorExport.readNoise)
        if let given { settings.count = given.shape.first ?? 0 }
        let model = try options.loadModel(backend: backend)
        let labels = try classes.map { try $0.split(separator: ",").map { try model.classIndex(String($0).trimmingCharacters(in: .whitespaces)) } } ?? []
        if guidance != nil && labels.isEmpty && prompt.isEmpty { throw ValidationError("--guidance needs --classes or --prompt (the conditional side of the guidance)") }
        if !labels.isEmpty && !prompt.isEmpty { throw ValidationError("--classes and --prompt exclude each other") }
        let experiment = prompt.isEmpty
            ? SamplingExperiment(settings: settings, classes: labels, guidance: guidance, noise: given)
            : SamplingExperiment(settings: settings, prompts: prompt, negativePrompt: negativePrompt, guidance: guidance, noise: given)
        let result = try experiment.run(model, backend: backend)
        var output = ExperimentOutput(out)
        for run in result.runs { try output.addGrid(run.samples, columns: 8, name: "sample-\(run.sampler)-\(run.steps).png") }
        output.addMetrics(result.records)
        if let saveTensors { output.addTensors(result.runs, to: saveTensors) }
        try output.commit()
        FileHandle.standardError.write(Data("wrote \(result.runs.count) sample grids to \(out.escapingControlCharacters)\n".utf8))
    }
}
