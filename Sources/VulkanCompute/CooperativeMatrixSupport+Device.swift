import CVulkan

/// Reading a physical device's cooperative-matrix support, and the extensions and features that turn it on.
extension CooperativeMatrixSupport {
    /// What `device` offers. `instance` resolves vkGetPhysicalDeviceCooperativeMatrixPropertiesNV, an extension
    /// command. Feature and property structures are chained only where the device advertises their extension
    /// (an unknown structure in a chain is invalid usage).
    init(instance: VkInstance, device: VkPhysicalDevice, subgroupSize: UInt32, subgroupBasicInCompute: Bool) {
        let extensions = Self.deviceExtensions(device)
        let hasExtension = extensions.contains(Self.extensionName)
        let hasFloat16 = extensions.contains("VK_KHR_shader_float16_int8")
        let hasMemoryModel = extensions.contains("VK_KHR_vulkan_memory_model")

        let chain = VulkanStructureChain()
        var base = VkPhysicalDeviceFeatures2()
        base.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
        let features = chain.append(base)
        var storage = VkPhysicalDevice16BitStorageFeatures()
        storage.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
        let storage16 = chain.append(storage)
        var float16 = VkPhysicalDeviceShaderFloat16Int8Features()
        float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES
        let shaderFloat16 = hasFloat16 ? chain.append(float16) : nil
        var memoryModel = VkPhysicalDeviceVulkanMemoryModelFeatures()
        memoryModel.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES
        let vulkanMemoryModel = hasMemoryModel ? chain.append(memoryModel) : nil
        var cooperative = VkPhysicalDeviceCooperativeMatrixFeaturesNV()
        cooperative.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV
        let cooperativeFeatures = hasExtension ? chain.append(cooperative) : nil
        vkGetPhysicalDeviceFeatures2(device, features)

        var computeStage = false
        if hasExtension {
            let query = VulkanStructureChain()
            var base = VkPhysicalDeviceProperties2()
            base.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
            let properties = query.append(base)
            var cooperative = VkPhysicalDeviceCooperativeMatrixPropertiesNV()
            cooperative.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_PROPERTIES_NV
            let stages = query.append(cooperative)
            vkGetPhysicalDeviceProperties2(device, properties)
            computeStage = stages.pointee.cooperativeMatrixSupportedStages & VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue) != 0
        }

        self.init(hasExtension: hasExtension,
                  cooperativeMatrixFeature: cooperativeFeatures.map { $0.pointee.cooperativeMatrix != 0 } ?? false,
                  computeStage: computeStage,
                  shapes: hasExtension ? Self.shapes(instance: instance, device: device) : [],
                  shaderFloat16: shaderFloat16.map { $0.pointee.shaderFloat16 != 0 } ?? false,
                  storageBuffer16BitAccess: storage16.pointee.storageBuffer16BitAccess != 0,
                  vulkanMemoryModel: vulkanMemoryModel.map { $0.pointee.vulkanMemoryModel != 0 } ?? false,
                  subgroupSize: subgroupSize,
                  subgroupBasicInCompute: subgroupBasicInCompute,
                  missingCompanionExtensions: Self.companionExtensions.filter { !extensions.contains($0) })
    }

    /// Appends to `chain` the features the kernel's SPIR-V declares and returns the device extensions to enable
    /// with them; call only where `isUsable`.
    static func enable(in chain: VulkanStructureChain) -> [String] {
        var cooperative = VkPhysicalDeviceCooperativeMatrixFeaturesNV()
        cooperative.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV
        cooperative.cooperativeMatrix = VkBool32(VK_TRUE)
        chain.append(cooperative)
        var float16 = VkPhysicalDeviceShaderFloat16Int8Features()
        float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES
        float16.shaderFloat16 = VkBool32(VK_TRUE)
        chain.append(float16)
        var memoryModel = VkPhysicalDeviceVulkanMemoryModelFeatures()
        memoryModel.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_MEMORY_MODEL_FEATURES
        memoryModel.vulkanMemoryModel = VkBool32(VK_TRUE)
        chain.append(memoryModel)
        return [extensionName] + companionExtensions
    }

    private static func deviceExtensions(_ device: VkPhysicalDevice) -> Set<String> {
        var count: UInt32 = 0
        guard vkEnumerateDeviceExtensionProperties(device, nil, &count, nil) == VK_SUCCESS, count > 0 else { return [] }
        var properties = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
        guard vkEnumerateDeviceExtensionProperties(device, nil, &count, &properties) == VK_SUCCESS else { return [] }
        return Set(properties.prefix(Int(count)).map { string(fromCArray: $0.extensionName) })
    }

    private static func shapes(instance: VkInstance, device: VkPhysicalDevice) -> [CooperativeMatrixShape] {
        guard let raw = vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV") else { return [] }
        let list = unsafeBitCast(raw, to: PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV.self)
        var count: UInt32 = 0
        guard list(device, &count, nil) == VK_SUCCESS, count > 0 else { return [] }
        var template = VkCooperativeMatrixPropertiesNV()
        template.sType = VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV
        var properties = [VkCooperativeMatrixPropertiesNV](repeating: template, count: Int(count))
        guard list(device, &count, &properties) == VK_SUCCESS else { return [] }
        return properties.prefix(Int(count)).map(CooperativeMatrixShape.init(nv:))
    }
}

extension CooperativeMatrixShape {
    init(nv p: VkCooperativeMatrixPropertiesNV) {
        self.init(m: Int(p.MSize), n: Int(p.NSize), k: Int(p.KSize), a: ComponentType(nv: p.AType), b: ComponentType(nv: p.BType),
                  c: ComponentType(nv: p.CType), d: ComponentType(nv: p.DType), scope: Scope(nv: p.scope))
    }
}

extension CooperativeMatrixShape.ComponentType {
    init(nv type: VkComponentTypeNV) {
        switch type {
        case VK_COMPONENT_TYPE_FLOAT16_NV: self = .fp16
        case VK_COMPONENT_TYPE_FLOAT32_NV: self = .fp32
        case VK_COMPONENT_TYPE_FLOAT64_NV: self = .fp64
        case VK_COMPONENT_TYPE_SINT8_NV: self = .signed(bits: 8)
        case VK_COMPONENT_TYPE_SINT16_NV: self = .signed(bits: 16)
        case VK_COMPONENT_TYPE_SINT32_NV: self = .signed(bits: 32)
        case VK_COMPONENT_TYPE_SINT64_NV: self = .signed(bits: 64)
        case VK_COMPONENT_TYPE_UINT8_NV: self = .unsigned(bits: 8)
        case VK_COMPONENT_TYPE_UINT16_NV: self = .unsigned(bits: 16)
        case VK_COMPONENT_TYPE_UINT32_NV: self = .unsigned(bits: 32)
        case VK_COMPONENT_TYPE_UINT64_NV: self = .unsigned(bits: 64)
        default: self = .unknown(type.rawValue)
        }
    }
}

extension CooperativeMatrixShape.Scope {
    init(nv scope: VkScopeNV) {
        switch scope {
        case VK_SCOPE_DEVICE_NV: self = .device
        case VK_SCOPE_WORKGROUP_NV: self = .workgroup
        case VK_SCOPE_SUBGROUP_NV: self = .subgroup
        case VK_SCOPE_QUEUE_FAMILY_NV: self = .queueFamily
        default: self = .unknown(scope.rawValue)
        }
    }
}
