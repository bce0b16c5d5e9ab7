import CVulkan

/// Host-visible, coherent, persistently mapped memory for uploads and read-backs.
final class StagingBuffer {
    let buffer: VkBuffer
    let memory: VkDeviceMemory
    let size: Int
    let mapped: UnsafeMutableRawPointer
    /// Bump pointer of the frame that owns the buffer; reset when the frame's work has completed.
    var used = 0

    init(context: VulkanContext, size: Int) throws {
        let device = context.device
        let (buffer, memory) = try context.makeBoundBuffer(
            size: size, usage: VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue,
            memoryType: context.stagingMemoryType, purpose: "staging")
        var pointer: UnsafeMutableRawPointer?
        let mappedResult = vkMapMemory(device, memory, 0, VkDeviceSize(size), 0, &pointer)
        guard mappedResult == VK_SUCCESS else {
            vkDestroyBuffer(device, buffer, nil)
            vkFreeMemory(device, memory, nil)
            throw VulkanError.call("vkMapMemory(staging)", mappedResult)
        }
        self.buffer = buffer
        self.memory = memory
        self.size = size
        mapped = pointer!
    }

    func destroy(_ device: VkDevice) {
        vkUnmapMemory(device, memory)
        vkDestroyBuffer(device, buffer, nil)
        vkFreeMemory(device, memory, nil)
    }
}
