/// A bad sampler setting, schedule file or state, said in words a user can act on. Settings go by the
/// library's names for them (`belmOrder`, `freezeStep`): these guards sit beneath `SamplerSettings.validate`
/// and the other checks through which each front end refuses a value in its own words (a flag, a config key).
public struct DiffusionError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
