/// An input a model cannot take (wrong shape, missing class labels, …): the message names the input and says
/// what the model expects. Callers reading inputs from a file add the file's name.
public struct ModelInputError: Error, CustomStringConvertible, Equatable {
    public let input: String
    public let problem: String

    public init(_ input: String, _ problem: String) {
        self.input = input
        self.problem = problem
    }

    public var description: String { "\(input): \(problem)" }
}
