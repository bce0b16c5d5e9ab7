import Experiments

/// The experiment runner `belm build` uses.
enum ExperimentRunnerChoice {
    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "this build of belm has no experiment runner linked in (module Experiments provides none yet)" }
    }

    static func standard() throws -> any ExperimentRunner {
        throw Unavailable()
    }
}
