import CVulkan

/// Failures of the Vulkan backend, each saying what was attempted and what to do about it.
public enum VulkanError: Error, CustomStringConvertible {
    /// A Vulkan call returned an error code.
    case call(String, VkResult)
    /// No Vulkan loader, or no device that can run compute.
    case noDevice(String)
    /// A tensor is larger than the device can address in one buffer binding.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .call(let what, let result): return "Vulkan: \(what) failed with VkResult \(result.rawValue)"
        case .noDevice(let why): return "Vulkan: \(why)"
        case .tooLarge(let why): return "Vulkan: \(why)"
        }
    }
}

/// Throws when a Vulkan call did not succeed.
@inline(__always)
func check(_ result: VkResult, _ what: @autoclosure () -> String) throws {
    if result != VK_SUCCESS { throw VulkanError.call(what(), result) }
}

/// For calls that cannot fail in a correctly written backend (recording, known-good creation after setup):
/// a failure there is a bug or a lost device, not bad input.
@inline(__always)
func mustSucceed(_ result: VkResult, _ what: @autoclosure () -> String) {
    if result != VK_SUCCESS { fatalError("Vulkan: \(what()) failed with VkResult \(result.rawValue)") }
}

/// Reads a fixed-size C char array (as Swift imports `char name[N]`) as a String.
func string<T>(fromCArray tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.bindMemory(to: CChar.self)
        let length = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: raw.prefix(length), as: UTF8.self)
    }
}
