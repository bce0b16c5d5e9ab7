import ArgumentParser
import Compute
import VulkanCompute

/// The compute backends a command can run on.
public enum BackendChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case vulkan
    case cpu

    /// The name the backend gives itself (`Backend.name`), which cache keys hold; found without starting it.
    public var backendName: String { rawValue }
}

/// `--backend` (and `--device`), shared by every command that runs a model.
public struct BackendOptions: ParsableArguments {
    @Option(help: "Where models run: \(BackendChoice.allCases.map(\.rawValue).joined(separator: "|")).")
    public var backend: BackendChoice = .vulkan

    @Option(help: ArgumentHelp("Vulkan device index (see `belm devices`); default: discrete GPU, then integrated, then CPU.",
                               discussion: "The environment variable \(VulkanDevices.environmentVariable) does the same."))
    public var device: Int?

    public init() {}

    public func makeBackend() throws -> any Backend {
        switch backend {
        case .cpu: return CPUBackend()
        case .vulkan: return try VulkanBackend(deviceIndex: device)
        }
    }
}
