import Experiments

/// The experiment runner `belm build` uses: every model `ExperimentModel.load` takes (the reference model,
/// builtin:shapes-unet, diffusers folders).
enum ExperimentRunnerChoice {
    static func standard() throws -> any ExperimentRunner {
        ModelExperimentRunner()
    }
}
