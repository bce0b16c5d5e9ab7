import Foundation

/// Which GEMM and convolution kernels run. The CPU device (lavapipe) and GPUs want opposite designs: llvmpipe
/// turns storage-buffer and shared-memory loads into per-lane scalar loops but gathers texel fetches in vector
/// registers, so its family reads vec4 texels into per-invocation register tiles; GPUs get the usual
/// shared-memory tiled kernels. Both read the same packed operands and are tested on every device.
public enum KernelFamily: String, Sendable, CaseIterable {
    /// vec4 texel-buffer operands, 8 or 16 rows × 16 columns of outputs per invocation, no shared memory.
    case texel
    /// Storage-buffer operands staged in shared memory, 64 × 64 outputs per workgroup.
    case shared

    /// The environment variable that overrides the choice (`texel` or `shared`).
    public static let environmentVariable = "BELM_VULKAN_KERNELS"

    /// `requested`, else the environment variable, else by device kind: texel on the CPU device, shared on GPUs
    /// (texel wherever 256-invocation workgroups do not fit).
    static func choose(requested: KernelFamily?, device: VulkanDeviceDescription) throws -> KernelFamily {
        // The shared-memory kernels use 256-invocation workgroups; the Vulkan minimum guarantee is 128.
        let sharedFits = device.maxComputeWorkGroupInvocations >= 256
        if let requested { return requested == .shared && !sharedFits ? .texel : requested }
        if let value = ProcessInfo.processInfo.environment[environmentVariable], !value.isEmpty {
            guard let family = KernelFamily(rawValue: value) else {
                throw VulkanError.noDevice("\(environmentVariable)=\(value) is not a kernel family; use one of "
                    + allCases.map(\.rawValue).joined(separator: ", "))
            }
            return family == .shared && !sharedFits ? .texel : family
        }
        return sharedFits ? preferred(for: device.kind) : .texel
    }

    /// The family a device of this kind gets by default.
    public static func preferred(for deviceKind: VulkanDeviceDescription.Kind) -> KernelFamily {
        deviceKind == .cpu ? .texel : .shared
    }
}
