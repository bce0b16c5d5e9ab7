import ArgumentParser
import Experiments

extension ExperimentParameter {
    /// The flag that sets the parameter on the command line.
    var flag: String {
        switch self {
        case .samplers: "--sampler"
        case .steps: "--steps"
        case .count: "--count"
        case .batchSize: "--batch-size"
        case .guidance: "--guidance"
        case .edictP: "--edict-p"
        case .bdiaGamma: "--bdia-gamma"
        case .belmOrder: "--order"
        case .freezeStep: "--freeze-step"
        case .noise: "--noise"
        case .spread: "--spread"
        case .nullClass: "--null-class"
        case .images: "--image"
        case .originalSize: "--original-size"
        case .cropTopLeft: "--crop-top-left"
        case .targetSize: "--target-size"
        }
    }
}

/// Runs a command's work with the library's refusals of settings said in the command line's words: the
/// library names the parameter (`bdiaGamma`), the user typed the flag (`--bdia-gamma`).
func namingFlags(_ work: () throws -> Void) throws {
    do {
        try work()
    } catch let invalid as InvalidSetting {
        throw ValidationError("\(invalid.parameter.flag) \(invalid.problem)")
    }
}
