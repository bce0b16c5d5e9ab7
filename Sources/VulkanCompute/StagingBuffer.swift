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
        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = VkDeviceSize(size)
        info.usage = VkBufferUsageFlags(VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue)
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var buffer: VkBuffer?
        try check(vkCreateBuffer(device, &info, nil, &buffer), "vkCreateBuffer(staging, \(size) bytes)")
        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device, buffer, &requirements)
        var allocation = VkMemoryAllocateInfo()
        allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        allocation.allocationSize = requirements.size
        allocation.memoryTypeIndex = context.stagingMemoryType
        var memory: VkDeviceMemory?
        try check(vkAllocateMemory(device, &allocation, nil, &memory), "vkAllocateMemory(staging, \(size) bytes)")
        try check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory(staging)")
        var pointer: UnsafeMutableRawPointer?
        try check(vkMapMemory(device, memory, 0, VkDeviceSize(size), 0, &pointer), "vkMapMemory(staging)")
        self.buffer = buffer!
        self.memory = memory!
        self.size = size
        mapped = pointer!
    }

    func destroy(_ device: VkDevice) {
        vkUnmapMemory(device, memory)
        vkDestroyBuffer(device, buffer, nil)
        vkFreeMemory(device, memory, nil)
    }
}
