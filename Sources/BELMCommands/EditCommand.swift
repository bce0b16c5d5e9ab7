import ArgumentParser
import Experiments
import Foundation

/// `belm edit`: class-to-class editing through partial inversion.
public struct EditCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Invert images under a source class or prompt to the freeze step, regenerate them under a target class or prompt with guidance.",
        discussion: """
        --freeze-step is the state where inversion stops and sampling resumes (0 inverts all the way; it must \
        be below every step count). Writes OUT/edit-<sampler>-<steps>.png (sources on the first row, edits \
        below) and OUT/metrics.json: mse and ssim between source and edit, target_rate (the share of edits \
        whose nearest image in the set has the target class, for the reference model). Class-conditional models \
        take --source/--target classes; Stable Diffusion takes --source-prompt/--target-prompt (and \
        --negative-prompt for the unconditional branch of the guidance) and --image.
        """)

    @OptionGroup public var options: ExperimentOptions

    @Option(help: "Source class (name or index).")
    public var source: String?

    @Option(help: "Target class (name or index).")
    public var target: String?

    @Option(help: "Source prompt (Stable Diffusion): what the images show.")
    public var sourcePrompt: String?

    @Option(help: "Target prompt (Stable Diffusion): what they should show.")
    public var targetPrompt: String?

    @Option(help: "Negative prompt: the unconditional branch of the guidance in place of the empty prompt.")
    public var negativePrompt: String?

    @Option(parsing: .upToNextOption, help: "Images to edit: PNG files or folders of them (in place of the source class's images of the model's set).")
    public var image: [String] = []

    @Option(parsing: .unconditional, help: "Inversion stops at this state; sampling resumes from it.")
    public var freezeStep = 4

    @Option(parsing: .unconditional, help: "Classifier-free guidance scale for the target class, in [0, 100].")
    public var guidance = 3.0

    @Flag(help: "Regenerate from the frozen state alone (a start-up step), dropping the companion state the inversion stored; two-state samplers otherwise keep much of the source.")
    public var restart = false

    @Option(help: "The output folder.")
    public var out = "belm-edit"

    public init() {}

    public func run() throws { try namingFlags(edit) }

    private func edit() throws {
        let backend = try options.backendOptions.makeBackend()
        let settings = try options.settings()
        try ExperimentOutput.checkWritable(out, as: .folder, option: "--out")
        try SettingLimits.checkFreezeStep(freezeStep, steps: settings.steps)
        try SettingLimits.checkGuidance(guidance)
        let model = try options.loadModel(backend: backend)
        func condition(_ label: String?, _ prompt: String?, _ side: String) throws -> ExperimentCondition {
            switch (label, prompt) {
            case let (label?, nil): return .label(try model.classIndex(label))
            case let (nil, prompt?): return .prompt(prompt)
            case (nil, nil): throw ValidationError("give --\(side) CLASS (class-conditional models) or --\(side)-prompt TEXT (Stable Diffusion)")
            default: throw ValidationError("--\(side) and --\(side)-prompt exclude each other")
            }
        }
        let experiment = EditingExperiment(settings: settings, source: try condition(source, sourcePrompt, "source"),
                                           target: try condition(target, targetPrompt, "target"), freezeStep: freezeStep, guidance: guidance,
                                           images: try options.inputImages(image, for: model), negativePrompt: negativePrompt,
                                           restart: restart)
        let result = try experiment.run(model, backend: backend)
        var output = ExperimentOutput(out)
        for run in result.edits {
            try output.addGrid(stacked(result.sources, run.samples), columns: min(result.sources.shape[0], 8),
                                 name: "edit-\(run.sampler)-\(run.steps).png")
        }
        output.addMetrics(result.records)
        try output.commit()
    }
}
