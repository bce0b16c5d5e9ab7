import CVulkan
import Foundation

/// libvulkan, opened at run time rather than linked: `belm` then starts (and `--backend cpu` works) on machines
/// without the Vulkan loader, and the Vulkan backend reports its absence as an error instead of the process
/// failing to load. The functions below shadow the C prototypes (hidden by VK_NO_PROTOTYPES in the shim) and
/// resolve on first use; `VulkanInstance` checks `VulkanLibrary.isAvailable` before any of them is called.
enum VulkanLibrary {
    static let fileName = "libvulkan.so.1"

    nonisolated(unsafe) static let handle: UnsafeMutableRawPointer? = dlopen(fileName, RTLD_NOW | RTLD_LOCAL)

    static var isAvailable: Bool { handle != nil }

    static func function<F>(_ name: String, as type: F.Type = F.self) -> F {
        guard let handle, let symbol = dlsym(handle, name) else {
            fatalError("Vulkan: \(name) is missing from \(fileName); the Vulkan loader is not installed or too old")
        }
        return unsafeBitCast(symbol, to: F.self)
    }
}

nonisolated(unsafe) let vkAllocateCommandBuffers: PFN_vkAllocateCommandBuffers = VulkanLibrary.function("vkAllocateCommandBuffers")
nonisolated(unsafe) let vkAllocateDescriptorSets: PFN_vkAllocateDescriptorSets = VulkanLibrary.function("vkAllocateDescriptorSets")
nonisolated(unsafe) let vkAllocateMemory: PFN_vkAllocateMemory = VulkanLibrary.function("vkAllocateMemory")
nonisolated(unsafe) let vkBeginCommandBuffer: PFN_vkBeginCommandBuffer = VulkanLibrary.function("vkBeginCommandBuffer")
nonisolated(unsafe) let vkBindBufferMemory: PFN_vkBindBufferMemory = VulkanLibrary.function("vkBindBufferMemory")
nonisolated(unsafe) let vkCmdBindDescriptorSets: PFN_vkCmdBindDescriptorSets = VulkanLibrary.function("vkCmdBindDescriptorSets")
nonisolated(unsafe) let vkCmdBindPipeline: PFN_vkCmdBindPipeline = VulkanLibrary.function("vkCmdBindPipeline")
nonisolated(unsafe) let vkCmdCopyBuffer: PFN_vkCmdCopyBuffer = VulkanLibrary.function("vkCmdCopyBuffer")
nonisolated(unsafe) let vkCmdDispatch: PFN_vkCmdDispatch = VulkanLibrary.function("vkCmdDispatch")
nonisolated(unsafe) let vkCmdFillBuffer: PFN_vkCmdFillBuffer = VulkanLibrary.function("vkCmdFillBuffer")
nonisolated(unsafe) let vkCmdPipelineBarrier: PFN_vkCmdPipelineBarrier = VulkanLibrary.function("vkCmdPipelineBarrier")
nonisolated(unsafe) let vkCmdPushConstants: PFN_vkCmdPushConstants = VulkanLibrary.function("vkCmdPushConstants")
nonisolated(unsafe) let vkCmdResetQueryPool: PFN_vkCmdResetQueryPool = VulkanLibrary.function("vkCmdResetQueryPool")
nonisolated(unsafe) let vkCmdWriteTimestamp: PFN_vkCmdWriteTimestamp = VulkanLibrary.function("vkCmdWriteTimestamp")
nonisolated(unsafe) let vkCreateBuffer: PFN_vkCreateBuffer = VulkanLibrary.function("vkCreateBuffer")
nonisolated(unsafe) let vkCreateBufferView: PFN_vkCreateBufferView = VulkanLibrary.function("vkCreateBufferView")
nonisolated(unsafe) let vkCreateCommandPool: PFN_vkCreateCommandPool = VulkanLibrary.function("vkCreateCommandPool")
nonisolated(unsafe) let vkCreateComputePipelines: PFN_vkCreateComputePipelines = VulkanLibrary.function("vkCreateComputePipelines")
nonisolated(unsafe) let vkCreateDescriptorPool: PFN_vkCreateDescriptorPool = VulkanLibrary.function("vkCreateDescriptorPool")
nonisolated(unsafe) let vkCreateDescriptorSetLayout: PFN_vkCreateDescriptorSetLayout = VulkanLibrary.function("vkCreateDescriptorSetLayout")
nonisolated(unsafe) let vkCreateDevice: PFN_vkCreateDevice = VulkanLibrary.function("vkCreateDevice")
nonisolated(unsafe) let vkCreateFence: PFN_vkCreateFence = VulkanLibrary.function("vkCreateFence")
nonisolated(unsafe) let vkCreateInstance: PFN_vkCreateInstance = VulkanLibrary.function("vkCreateInstance")
nonisolated(unsafe) let vkCreatePipelineLayout: PFN_vkCreatePipelineLayout = VulkanLibrary.function("vkCreatePipelineLayout")
nonisolated(unsafe) let vkCreateQueryPool: PFN_vkCreateQueryPool = VulkanLibrary.function("vkCreateQueryPool")
nonisolated(unsafe) let vkCreateShaderModule: PFN_vkCreateShaderModule = VulkanLibrary.function("vkCreateShaderModule")
nonisolated(unsafe) let vkDestroyBuffer: PFN_vkDestroyBuffer = VulkanLibrary.function("vkDestroyBuffer")
nonisolated(unsafe) let vkDestroyBufferView: PFN_vkDestroyBufferView = VulkanLibrary.function("vkDestroyBufferView")
nonisolated(unsafe) let vkDestroyCommandPool: PFN_vkDestroyCommandPool = VulkanLibrary.function("vkDestroyCommandPool")
nonisolated(unsafe) let vkDestroyDescriptorPool: PFN_vkDestroyDescriptorPool = VulkanLibrary.function("vkDestroyDescriptorPool")
nonisolated(unsafe) let vkDestroyDescriptorSetLayout: PFN_vkDestroyDescriptorSetLayout = VulkanLibrary.function("vkDestroyDescriptorSetLayout")
nonisolated(unsafe) let vkDestroyDevice: PFN_vkDestroyDevice = VulkanLibrary.function("vkDestroyDevice")
nonisolated(unsafe) let vkDestroyFence: PFN_vkDestroyFence = VulkanLibrary.function("vkDestroyFence")
nonisolated(unsafe) let vkDestroyInstance: PFN_vkDestroyInstance = VulkanLibrary.function("vkDestroyInstance")
nonisolated(unsafe) let vkDestroyPipeline: PFN_vkDestroyPipeline = VulkanLibrary.function("vkDestroyPipeline")
nonisolated(unsafe) let vkDestroyPipelineLayout: PFN_vkDestroyPipelineLayout = VulkanLibrary.function("vkDestroyPipelineLayout")
nonisolated(unsafe) let vkDestroyQueryPool: PFN_vkDestroyQueryPool = VulkanLibrary.function("vkDestroyQueryPool")
nonisolated(unsafe) let vkDestroyShaderModule: PFN_vkDestroyShaderModule = VulkanLibrary.function("vkDestroyShaderModule")
nonisolated(unsafe) let vkDeviceWaitIdle: PFN_vkDeviceWaitIdle = VulkanLibrary.function("vkDeviceWaitIdle")
nonisolated(unsafe) let vkEndCommandBuffer: PFN_vkEndCommandBuffer = VulkanLibrary.function("vkEndCommandBuffer")
nonisolated(unsafe) let vkEnumerateInstanceLayerProperties: PFN_vkEnumerateInstanceLayerProperties = VulkanLibrary.function("vkEnumerateInstanceLayerProperties")
nonisolated(unsafe) let vkEnumerateDeviceExtensionProperties: PFN_vkEnumerateDeviceExtensionProperties = VulkanLibrary.function("vkEnumerateDeviceExtensionProperties")
nonisolated(unsafe) let vkEnumeratePhysicalDevices: PFN_vkEnumeratePhysicalDevices = VulkanLibrary.function("vkEnumeratePhysicalDevices")
nonisolated(unsafe) let vkFreeMemory: PFN_vkFreeMemory = VulkanLibrary.function("vkFreeMemory")
nonisolated(unsafe) let vkGetBufferMemoryRequirements: PFN_vkGetBufferMemoryRequirements = VulkanLibrary.function("vkGetBufferMemoryRequirements")
nonisolated(unsafe) let vkGetDeviceQueue: PFN_vkGetDeviceQueue = VulkanLibrary.function("vkGetDeviceQueue")
nonisolated(unsafe) let vkGetInstanceProcAddr: PFN_vkGetInstanceProcAddr = VulkanLibrary.function("vkGetInstanceProcAddr")
nonisolated(unsafe) let vkGetPhysicalDeviceFeatures2: PFN_vkGetPhysicalDeviceFeatures2 = VulkanLibrary.function("vkGetPhysicalDeviceFeatures2")
nonisolated(unsafe) let vkGetPhysicalDeviceFormatProperties: PFN_vkGetPhysicalDeviceFormatProperties = VulkanLibrary.function("vkGetPhysicalDeviceFormatProperties")
nonisolated(unsafe) let vkGetPhysicalDeviceMemoryProperties: PFN_vkGetPhysicalDeviceMemoryProperties = VulkanLibrary.function("vkGetPhysicalDeviceMemoryProperties")
nonisolated(unsafe) let vkGetPhysicalDeviceProperties: PFN_vkGetPhysicalDeviceProperties = VulkanLibrary.function("vkGetPhysicalDeviceProperties")
nonisolated(unsafe) let vkGetPhysicalDeviceProperties2: PFN_vkGetPhysicalDeviceProperties2 = VulkanLibrary.function("vkGetPhysicalDeviceProperties2")
nonisolated(unsafe) let vkGetPhysicalDeviceQueueFamilyProperties: PFN_vkGetPhysicalDeviceQueueFamilyProperties = VulkanLibrary.function("vkGetPhysicalDeviceQueueFamilyProperties")
nonisolated(unsafe) let vkGetQueryPoolResults: PFN_vkGetQueryPoolResults = VulkanLibrary.function("vkGetQueryPoolResults")
nonisolated(unsafe) let vkMapMemory: PFN_vkMapMemory = VulkanLibrary.function("vkMapMemory")
nonisolated(unsafe) let vkQueueSubmit: PFN_vkQueueSubmit = VulkanLibrary.function("vkQueueSubmit")
nonisolated(unsafe) let vkResetCommandPool: PFN_vkResetCommandPool = VulkanLibrary.function("vkResetCommandPool")
nonisolated(unsafe) let vkResetDescriptorPool: PFN_vkResetDescriptorPool = VulkanLibrary.function("vkResetDescriptorPool")
nonisolated(unsafe) let vkResetFences: PFN_vkResetFences = VulkanLibrary.function("vkResetFences")
nonisolated(unsafe) let vkUnmapMemory: PFN_vkUnmapMemory = VulkanLibrary.function("vkUnmapMemory")
nonisolated(unsafe) let vkUpdateDescriptorSets: PFN_vkUpdateDescriptorSets = VulkanLibrary.function("vkUpdateDescriptorSets")
nonisolated(unsafe) let vkWaitForFences: PFN_vkWaitForFences = VulkanLibrary.function("vkWaitForFences")
