/// A bad sampler setting, schedule file or state, said in words a user can act on.
public struct DiffusionError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
