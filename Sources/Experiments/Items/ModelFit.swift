/// Refuses what a model cannot run, before any work: prompts for class models, classes for prompt models,
/// convergence without the exact ODE solution. Each message names the experiment and the key to change.
enum ModelFit {
    static func check(_ request: ExperimentRequest, model: ExperimentModel) throws {
        let experiment = "experiment '\(request.name)'"
        if request.kind == .convergence, case .diffusers = model.kind {
            throw ExperimentError("\(experiment): convergence measures the distance to the exact ODE solution, which only the reference model (builtin:shapes, gmm:DIR) has; \(request.model) is a diffusers model, so run convergence on the reference model")
        }
        if !request.prompts.isEmpty && !model.takesPrompts {
            throw ExperimentError("\(experiment): \(request.model) takes class labels, not prompts; use `classes:` (prompts need a text-conditioned model such as SD1.5)")
        }
        if model.takesPrompts && !request.classes.isEmpty {
            throw ExperimentError("\(experiment): \(request.model) is conditioned on prompts, not classes; use `prompts:`")
        }
        if model.takesPrompts && request.kind == .editing && request.prompts.isEmpty {
            throw ExperimentError("\(experiment): editing \(request.model) needs `prompts:` (the sources) and `targets:` (one prompt each)")
        }
    }
}
