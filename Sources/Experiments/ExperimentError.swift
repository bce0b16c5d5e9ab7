/// A bad experiment setting or input, said so that a user can fix it.
public struct ExperimentError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}
