import ArgumentParser
import Compute

/// The compute backends a command can run on.
public enum BackendChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case cpu
}

/// `--backend`, shared by every command that runs a model.
public struct BackendOptions: ParsableArguments {
    @Option(help: "Where models run: \(BackendChoice.allCases.map(\.rawValue).joined(separator: "|")).")
    public var backend: BackendChoice = .cpu

    public init() {}

    public func makeBackend() throws -> any Backend {
        switch backend {
        case .cpu: return CPUBackend()
        }
    }
}
