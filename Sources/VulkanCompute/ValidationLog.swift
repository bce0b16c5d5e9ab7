import CVulkan
import Foundation

/// Collects what the Khronos validation layer reports through a debug-utils messenger. Tests fail on any
/// entry; outside tests the layer is off.
public final class ValidationLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    /// The messages received so far.
    public var messages: [String] { lock.withLock { entries } }

    func append(_ message: String) { lock.withLock { entries.append(message) } }

    /// The C callback: `pUserData` is an unretained pointer to the log, which outlives the messenger.
    static let callback: PFN_vkDebugUtilsMessengerCallbackEXT = { severity, _, data, userData in
        guard let userData, let data else { return VkBool32(VK_FALSE) }
        let log = Unmanaged<ValidationLog>.fromOpaque(userData).takeUnretainedValue()
        let text = data.pointee.pMessage.map { String(cString: $0) } ?? "(no message)"
        log.append("[severity \(severity.rawValue)] \(text)")
        return VkBool32(VK_FALSE)
    }
}
