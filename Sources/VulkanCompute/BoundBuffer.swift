import CVulkan

extension VulkanContext {
    /// A VkBuffer with its own VkDeviceMemory of `memoryType`, bound; what the arena's blocks and the staging
    /// buffers are made of. Nothing is left behind when a step fails.
    func makeBoundBuffer(size: Int, usage: UInt32, memoryType: UInt32, purpose: String) throws -> (VkBuffer, VkDeviceMemory) {
        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = VkDeviceSize(size)
        info.usage = VkBufferUsageFlags(usage)
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var buffer: VkBuffer?
        try check(vkCreateBuffer(device, &info, nil, &buffer), "vkCreateBuffer(\(purpose), \(size) bytes)")
        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device, buffer, &requirements)
        var allocation = VkMemoryAllocateInfo()
        allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        allocation.allocationSize = requirements.size
        allocation.memoryTypeIndex = memoryType
        var memory: VkDeviceMemory?
        let result = vkAllocateMemory(device, &allocation, nil, &memory)
        guard result == VK_SUCCESS else {
            vkDestroyBuffer(device, buffer, nil)
            throw VulkanError.call("vkAllocateMemory(\(purpose), \(requirements.size) bytes) on \(description.name)", result)
        }
        let bound = vkBindBufferMemory(device, buffer, memory, 0)
        guard bound == VK_SUCCESS else {
            vkDestroyBuffer(device, buffer, nil)
            vkFreeMemory(device, memory, nil)
            throw VulkanError.call("vkBindBufferMemory(\(purpose))", bound)
        }
        return (buffer!, memory!)
    }
}
