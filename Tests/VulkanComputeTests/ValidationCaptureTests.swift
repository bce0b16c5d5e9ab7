import CVulkan
import Testing
@testable import VulkanCompute

/// The other suites treat "no validation messages" as a pass; this shows that a message would be seen.
@Suite struct ValidationCaptureTests {
    @Test func invalidCallIsReported() throws {
        try #require(VulkanDevices.validationLayerInstalled, "the Khronos validation layer is not installed")
        let backend = try VulkanBackend(validation: true)
        // A buffer of size 0 breaks a valid-usage rule of vkCreateBuffer (VUID-VkBufferCreateInfo-size-00912).
        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = 0
        info.usage = VkBufferUsageFlags(VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue)
        var buffer: VkBuffer?
        let result = vkCreateBuffer(backend.context.device, &info, nil, &buffer)
        if result == VK_SUCCESS, let buffer { vkDestroyBuffer(backend.context.device, buffer, nil) }
        #expect(backend.validationMessages.contains { $0.contains("00912") })
    }
}
