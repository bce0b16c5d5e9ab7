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

/// `--backend`, `--device` and `--precision`, shared by every command that runs a model.
public struct BackendOptions: ParsableArguments {
    @Option(help: "Where models run: \(BackendChoice.allCases.map(\.rawValue).joined(separator: "|")).")
    public var backend: BackendChoice = .vulkan

    @Option(help: ArgumentHelp("Vulkan device index (see `belm devices`); default: discrete GPU, then integrated, then CPU.",
                               discussion: "The environment variable \(VulkanDevices.environmentVariable) does the same."))
    public var device: Int?

    @Option(help: ArgumentHelp("How the model's linear and convolution weights and its activations are stored: \(Precision.allCases.map(\.rawValue).joined(separator: "|")).",
                               discussion: "fp16 halves the weights' and the activations' memory; every product accumulates in fp32, normalization statistics and softmax compute in fp32 (attention scores stay fp32 where the UNet config sets upcast_attention), and the samplers' states stay fp32: the UNet and the text encoder convert at entry and exit. Stable Diffusion's VAE stays fp32 (its weights only are fp16 in `belm forward`/`bench` of the VAE itself). The cpu backend rounds the weights and each op's output to fp16 and computes in fp32 — the same arithmetic. fp32 is the default: exact inversion wants it. \(CooperativeMatrixSupport.environmentVariable)=1 runs fp16-weight layers on cooperative matrices (tensor cores: fp16 operands, fp32 accumulation) where `belm devices` lists them; off by default."))
    public var precision: Precision = .standard

    public init() {}

    /// Refuses `--precision fp16` where `what` computes in fp32 whatever the flag says.
    public func requireFP32(_ what: String) throws {
        guard precision == .fp32 else {
            throw ValidationError("--precision \(precision.rawValue): \(what) computes in fp32; leave --precision out (fp32 is the default)")
        }
    }

    public func makeBackend() throws -> any Backend {
        switch backend {
        case .cpu: return CPUBackend()
        case .vulkan: return try VulkanBackend(deviceIndex: device)
        }
    }
}
extension Precision: ExpressibleByArgument {}
