import Experiments

extension ExperimentParameter {
    /// The key of an experiment in the site config that sets the parameter (the config has no key for the
    /// command line's batch size, initial noise or null class; those keep the library's name).
    var configKey: String {
        switch self {
        case .samplers: "samplers"
        case .steps: "steps"
        case .count: "count"
        case .guidance: "guidance"
        case .edictP: "edict_p"
        case .bdiaGamma: "bdia_gamma"
        case .freezeStep: "freeze_step"
        case .belmOrder: "order"
        case .spread: "spread"
        case .images: "images"
        case .originalSize: "original_size"
        case .cropTopLeft: "crop_top_left"
        case .targetSize: "target_size"
        case .batchSize, .noise, .nullClass: rawValue
        }
    }
}
