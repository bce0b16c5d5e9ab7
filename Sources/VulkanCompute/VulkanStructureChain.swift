import CVulkan

/// Vulkan structures linked through their `pNext` members (feature and property queries, device creation), each
/// allocated for the chain's lifetime so that the pointers stay valid across the call that reads or fills them.
final class VulkanStructureChain {
    private var links: [UnsafeMutableRawPointer] = []
    private var releases: [() -> Void] = []
    /// Every Vulkan structure starts with sType and pNext (VkBaseOutStructure's layout).
    private static let nextOffset = MemoryLayout<VkBaseOutStructure>.offset(of: \VkBaseOutStructure.pNext)!

    /// Appends `value` (a Vulkan structure with its sType set) and returns where it lives, to be read after the call.
    @discardableResult
    func append<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        let raw = UnsafeMutableRawPointer(pointer)
        raw.storeBytes(of: nil, toByteOffset: Self.nextOffset, as: UnsafeMutableRawPointer?.self)
        links.last?.storeBytes(of: raw, toByteOffset: Self.nextOffset, as: UnsafeMutableRawPointer?.self)
        links.append(raw)
        releases.append { pointer.deinitialize(count: 1); pointer.deallocate() }
        return pointer
    }

    /// The first structure, for a `pNext` member; nil when the chain is empty.
    var head: UnsafeMutableRawPointer? { links.first }

    deinit { releases.forEach { $0() } }
}
