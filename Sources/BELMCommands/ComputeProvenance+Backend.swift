import Compute
import Foundation
import Site
import VulkanCompute

extension ComputeProvenance {
    /// The device a backend computes on: the Vulkan device and its driver, or the host's processor for the
    /// CPU backend. Every backend computes in fp32 today (each tensor holds Float).
    static func of(_ backend: any Backend) -> ComputeProvenance {
        if let vulkan = backend as? VulkanBackend {
            let device = vulkan.device
            return ComputeProvenance(backend: backend.name, device: "\(device.name) (\(device.kind.rawValue))",
                                     driver: device.driver, precision: .fp32)
        }
        return ComputeProvenance(backend: backend.name, device: hostProcessor, driver: nil, precision: .fp32)
    }

    /// The processor's name from /proc/cpuinfo (Linux), else the architecture.
    static var hostProcessor: String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) + " (host CPU)"
        }
        #if arch(arm64)
        return "arm64 host CPU"
        #else
        return "x86_64 host CPU"
        #endif
    }
}
