import CVulkan

/// The chosen physical device, its logical device and compute queue, and the limits every allocation and
/// dispatch must respect. Everything else that owns Vulkan objects keeps the context alive.
final class VulkanContext {
    let instance: VulkanInstance
    let physicalDevice: VkPhysicalDevice
    let description: VulkanDeviceDescription
    let device: VkDevice
    let queue: VkQueue
    let queueFamily: UInt32
    let limits: VkPhysicalDeviceLimits
    /// Valid bits of the compute queue's timestamps; 0 where it has none.
    let timestampValidBits: UInt32
    /// For arena blocks: device-local where there is such a type.
    let deviceMemoryType: UInt32
    /// For staging: host-visible and coherent.
    let stagingMemoryType: UInt32
    /// Whether RGBA16F uniform texel buffers exist (fp16 weights and activations are read through them).
    let halfTexelBuffers: Bool
    /// Whether the device was created with VK_NV_cooperative_matrix and its companions, so that the
    /// cooperative-matrix GEMM runs: asked for, and the device has what the kernel needs.
    let cooperativeMatricesEnabled: Bool
    /// Whether R16F uniform texel buffers exist (kernels reading scalars read fp16 activations through them).
    let halfScalarTexelBuffers: Bool

    init(validation: Bool, deviceIndex: Int?, cooperativeMatrices: Bool = false) throws {
        let instance = try VulkanInstance(validation: validation)
        self.instance = instance
        let devices = try instance.physicalDevices()
        let descriptions = devices.enumerated().map { VulkanDeviceDescription(index: $0.offset, device: $0.element, instance: instance.handle) }
        let chosen = try VulkanDevices.choose(among: descriptions, requested: deviceIndex)
        physicalDevice = devices[chosen]
        description = descriptions[chosen]
        let family = VulkanDeviceDescription.computeQueueFamily(devices[chosen])!
        queueFamily = family
        timestampValidBits = VulkanDeviceDescription.queueFamilies(devices[chosen])[Int(family)].timestampValidBits

        var properties = VkPhysicalDeviceProperties()
        vkGetPhysicalDeviceProperties(physicalDevice, &properties)
        limits = properties.limits

        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(physicalDevice, &memory)
        let types: [VkMemoryPropertyFlags] = withUnsafeBytes(of: memory.memoryTypes) { raw in
            raw.bindMemory(to: VkMemoryType.self).prefix(Int(memory.memoryTypeCount)).map(\.propertyFlags)
        }
        func firstType(_ wanted: VkMemoryPropertyFlagBits...) -> UInt32? {
            let mask = wanted.reduce(0) { $0 | $1.rawValue }
            return types.firstIndex { $0 & mask == mask }.map(UInt32.init)
        }
        guard let staging = firstType(VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) else {
            throw VulkanError.noDevice("\(description.name) has no host-visible coherent memory")
        }
        stagingMemoryType = staging
        deviceMemoryType = firstType(VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) ?? staging
        var format = VkFormatProperties()
        vkGetPhysicalDeviceFormatProperties(physicalDevice, VK_FORMAT_R16G16B16A16_SFLOAT, &format)
        halfTexelBuffers = format.bufferFeatures & VkFormatFeatureFlags(VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT.rawValue) != 0
        vkGetPhysicalDeviceFormatProperties(physicalDevice, VK_FORMAT_R16_SFLOAT, &format)
        halfScalarTexelBuffers = format.bufferFeatures & VkFormatFeatureFlags(VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT.rawValue) != 0
        cooperativeMatricesEnabled = cooperativeMatrices && description.cooperativeMatrices.isUsable
        // Optional features and their extensions, chained into the device's creation.
        let features = VulkanStructureChain()
        let extensionNames = cooperativeMatricesEnabled ? CooperativeMatrixSupport.enable(in: features) : []

        var priority: Float = 1
        var device: VkDevice?
        try withUnsafePointer(to: &priority) { priorityPointer in
            var queueInfo = VkDeviceQueueCreateInfo()
            queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
            queueInfo.queueFamilyIndex = family
            queueInfo.queueCount = 1
            queueInfo.pQueuePriorities = priorityPointer
            try withUnsafePointer(to: &queueInfo) { queuePointer in
                var info = VkDeviceCreateInfo()
                info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                info.queueCreateInfoCount = 1
                info.pQueueCreateInfos = queuePointer
                info.pNext = UnsafeRawPointer(features.head)
                let result = withCStrings(extensionNames) { names in
                    info.enabledExtensionCount = UInt32(extensionNames.count)
                    info.ppEnabledExtensionNames = names
                    return vkCreateDevice(devices[chosen], &info, nil, &device)
                }
                try check(result, "vkCreateDevice on \(descriptions[chosen].name)")
            }
        }
        self.device = device!
        var queue: VkQueue?
        vkGetDeviceQueue(self.device, queueFamily, 0, &queue)
        self.queue = queue!
    }

    deinit {
        _ = vkDeviceWaitIdle(device)
        vkDestroyDevice(device, nil)
    }
}
