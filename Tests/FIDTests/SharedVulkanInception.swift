import Foundation
import VulkanCompute
@testable import FID

/// One FID Inception network with the seeded stand-in weights on the Vulkan backend, shared by the tests that run
/// one there (FolderStatisticsTests, InceptionGoldenTests): in a debug build, making it (drawing 24 M weights,
/// transforming the 3×3 convolutions' for Winograd) takes longer than the forward passes the tests make with it.
/// One test uses it at a time, as a backend is not shared between threads.
final class SharedVulkanInception: @unchecked Sendable {
    static let shared = SharedVulkanInception()

    private let lock = NSLock()
    private var built: (network: FIDInception, backend: VulkanBackend)?
    private var unavailable = false

    /// Runs `body` with the network, or returns nil where there is no Vulkan device.
    func use<Result>(_ body: (FIDInception, VulkanBackend) throws -> Result) throws -> Result? {
        lock.lock()
        defer { lock.unlock() }
        if built == nil && !unavailable {
            guard let vulkan = try? VulkanBackend() else {
                unavailable = true
                return nil
            }
            built = (try FIDInception(weights: SeededInceptionWeights(), backend: vulkan), vulkan)
        }
        guard let built else { return nil }
        return try body(built.network, built.backend)
    }
}
