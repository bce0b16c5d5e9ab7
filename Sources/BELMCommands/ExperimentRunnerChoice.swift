import Experiments

/// The experiment runner `belm build` uses: the reference-model experiments. Diffusers checkpoints join
/// when the experiments can run them.
enum ExperimentRunnerChoice {
    static func standard() throws -> any ExperimentRunner {
        ReferenceExperimentRunner()
    }
}
