/// A problem with FID inputs: the message names the file or value and says what to do.
public struct FIDError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
