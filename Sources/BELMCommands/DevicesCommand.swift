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
        }
        if let chosen {
            print("chosen: \(chosen) (override with --device or \(VulkanDevices.environmentVariable))")
        } else if let problem {
            print("no device chosen: \(problem)")
        }
    }

    private func mebibytes(_ bytes: UInt64) -> String { "\(bytes >> 20) MiB" }
}
