import Models

/// The settings a request resolves to where the config leaves them out: one place for each default.
extension ExperimentRequest {
    /// The samplers' knobs the request sets: the one place a request becomes the settings its sweep runs with.
    public var samplerSettings: SamplerSettings {
        SamplerSettings(belmOrder: belmOrder, edictP: edictP, edictLeapfrog: edictLeapfrog, bdiaGamma: bdiaGamma,
                        convention: convention)
    }

    /// Editing: the inversion state an edit starts from; a fifth of the fewest steps when `freeze_step:` is unset.
    public var editFreezeStep: Int {
        freezeStep ?? max(0, (steps.min() ?? 10) / 5)
    }

    /// Editing: the classifier-free guidance an edit samples with; 3 when `guidance:` is unset.
    public var editGuidance: Double {
        guidance ?? 3
    }

    /// The reference model's component std.
    public var mixtureSpread: Double {
        spread ?? GaussianMixtureModel.defaultSpread
    }
}
