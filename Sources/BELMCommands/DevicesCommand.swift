import ArgumentParser
import VulkanCompute

/// `belm devices`: the Vulkan devices the loader reports, their kind and limits, and which one runs models.
public struct DevicesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the Vulkan devices and show which one `--backend vulkan` uses."
    )

    @Option(help: "Device index to mark as chosen instead of the default choice.")
    public var device: Int?

    public init() {}

    public func run() throws {
        let devices = try VulkanDevices.list()
        var chosen: Int?
        var problem: String?
        do { chosen = try VulkanDevices.choose(among: devices, requested: device) } catch { problem = "\(error)" }
        if devices.isEmpty { print("no Vulkan devices") }
        for d in devices {
            print("\(d.index == chosen ? "*" : " ") \(d.index): \(d.name) (\(d.kind.rawValue), Vulkan \(d.apiVersion))")
            print("    compute queue: \(d.hasComputeQueue ? "yes" : "no"), subgroup size \(d.subgroupSize), "
                + "device-local memory \(mebibytes(d.deviceLocalMemory))")
            print("    maxStorageBufferRange \(mebibytes(d.maxStorageBufferRange)), maxMemoryAllocationSize "
                + "\(mebibytes(d.maxMemoryAllocationSize)), maxTexelBufferElements \(d.maxTexelBufferElements)")
            print("    maxComputeWorkGroupInvocations \(d.maxComputeWorkGroupInvocations), "
                + "maxComputeSharedMemorySize \(d.maxComputeSharedMemorySize) B")
            print("    GEMM/conv kernels: \(KernelFamily.preferred(for: d.kind).rawValue) "
                + "(override with \(KernelFamily.environmentVariable)=texel|shared)")
            for line in cooperativeMatrixLines(d.cooperativeMatrices) { print("    " + line) }
        }
        if let chosen {
            print("chosen: \(chosen) (override with --device or \(VulkanDevices.environmentVariable))")
        } else if let problem {
            print("no device chosen: \(problem)")
        }
    }

    /// The cooperative-matrix shapes the device advertises, the fp16 features, and whether belm's kernel can run.
    private func cooperativeMatrixLines(_ support: CooperativeMatrixSupport) -> [String] {
        let yesNo = { (flag: Bool) in flag ? "yes" : "no" }
        var lines = ["fp16: shaderFloat16 \(yesNo(support.shaderFloat16)), storageBuffer16BitAccess \(yesNo(support.storageBuffer16BitAccess)), "
            + "vulkanMemoryModel \(yesNo(support.vulkanMemoryModel))"]
        guard support.hasExtension else { return lines + ["cooperative matrices: none (no \(CooperativeMatrixSupport.extensionName))"] }
        lines.append("cooperative matrices (\(CooperativeMatrixSupport.extensionName)): \(support.shapes.count) shapes")
        lines += support.shapes.map { "  \($0)" }
        if let reason = support.unusableReason {
            lines.append("cooperative-matrix GEMM: cannot run here (\(reason))")
        } else {
            lines.append("cooperative-matrix GEMM: available for fp16 weights, off by default (\(CooperativeMatrixSupport.environmentVariable)=1 turns it on)")
        }
        return lines
    }

    private func mebibytes(_ bytes: UInt64) -> String { "\(bytes >> 20) MiB" }
}
