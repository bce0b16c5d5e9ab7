import CVulkan
import Foundation

/// What `belm devices` shows about one physical device, and what device selection looks at.
public struct VulkanDeviceDescription: Sendable {
    public enum Kind: String, Sendable {
        case discrete = "discrete GPU", integrated = "integrated GPU", virtual = "virtual GPU", cpu = "CPU", other

        init(_ type: VkPhysicalDeviceType) {
            switch type {
            case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: self = .discrete
            case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: self = .integrated
            case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: self = .virtual
            case VK_PHYSICAL_DEVICE_TYPE_CPU: self = .cpu
            default: self = .other
            }
        }

        /// Lower is preferred: discrete, then integrated, then virtual, then the CPU (lavapipe).
        var preference: Int {
            switch self {
            case .discrete: return 0
            case .integrated: return 1
            case .virtual: return 2
            case .cpu: return 3
            case .other: return 4
            }
        }
    }

    public let index: Int
    public let name: String
    public let kind: Kind
    public let apiVersion: String
    /// The driver and its version as the driver words them ("NVIDIA 550.54.15", "llvmpipe Mesa 22.3.6 (LLVM
    /// 15.0.6)"); from VkPhysicalDeviceDriverProperties on Vulkan 1.2 devices, else the vendor's number.
    public let driver: String
    public let hasComputeQueue: Bool
    public let maxStorageBufferRange: UInt64
    public let maxMemoryAllocationSize: UInt64
    public let maxTexelBufferElements: UInt64
    public let maxComputeWorkGroupInvocations: UInt32
    public let maxComputeSharedMemorySize: UInt32
    public let subgroupSize: UInt32
    public let deviceLocalMemory: UInt64
    /// VK_NV_cooperative_matrix and the features belm's cooperative-matrix GEMM needs.
    public let cooperativeMatrices: CooperativeMatrixSupport

    init(index: Int, device: VkPhysicalDevice, instance: VkInstance) {
        var maintenance3 = VkPhysicalDeviceMaintenance3Properties()
        maintenance3.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES
        var subgroup = VkPhysicalDeviceSubgroupProperties()
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES
        var properties = VkPhysicalDeviceProperties2()
        properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
        withUnsafeMutablePointer(to: &subgroup) { subgroupPointer in
            maintenance3.pNext = UnsafeMutableRawPointer(subgroupPointer)
            withUnsafeMutablePointer(to: &maintenance3) { m3 in
                properties.pNext = UnsafeMutableRawPointer(m3)
                vkGetPhysicalDeviceProperties2(device, &properties)
            }
        }
        let core = properties.properties
        let limits = core.limits
        self.index = index
        name = string(fromCArray: core.deviceName)
        kind = Kind(core.deviceType)
        apiVersion = "\(core.apiVersion >> 22).\((core.apiVersion >> 12) & 0x3ff).\(core.apiVersion & 0xfff)"
        driver = Self.driver(device, apiVersion: core.apiVersion, driverVersion: core.driverVersion)
        maxStorageBufferRange = UInt64(limits.maxStorageBufferRange)
        maxMemoryAllocationSize = maintenance3.maxMemoryAllocationSize
        maxTexelBufferElements = UInt64(limits.maxTexelBufferElements)
        maxComputeWorkGroupInvocations = limits.maxComputeWorkGroupInvocations
        maxComputeSharedMemorySize = limits.maxComputeSharedMemorySize
        subgroupSize = subgroup.subgroupSize
        cooperativeMatrices = CooperativeMatrixSupport(
            instance: instance, device: device, subgroupSize: subgroup.subgroupSize,
            subgroupBasicInCompute: subgroup.supportedStages & VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue) != 0
                && subgroup.supportedOperations & VkSubgroupFeatureFlags(VK_SUBGROUP_FEATURE_BASIC_BIT.rawValue) != 0)
        hasComputeQueue = Self.computeQueueFamily(device) != nil

        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(device, &memory)
        var local: UInt64 = 0
        withUnsafeBytes(of: memory.memoryHeaps) { raw in
            let heaps = raw.bindMemory(to: VkMemoryHeap.self)
            for heap in heaps.prefix(Int(memory.memoryHeapCount))
            where heap.flags & VkMemoryHeapFlags(VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.rawValue) != 0 {
                local += heap.size
            }
        }
        deviceLocalMemory = local
    }

    /// The driver's own name and version text where the device speaks Vulkan 1.2 (the structure is core
    /// there; chaining it on an older device would be invalid), else the packed driverVersion as
    /// major.minor.patch, which is how most vendors but NVIDIA pack it.
    private static func driver(_ device: VkPhysicalDevice, apiVersion: UInt32, driverVersion: UInt32) -> String {
        let packed = "\(driverVersion >> 22).\((driverVersion >> 12) & 0x3ff).\(driverVersion & 0xfff)"
        guard apiVersion >= (1 << 22 | 2 << 12) else { return "version \(packed)" }
        var driverProperties = VkPhysicalDeviceDriverProperties()
        driverProperties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES
        var properties = VkPhysicalDeviceProperties2()
        properties.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
        withUnsafeMutablePointer(to: &driverProperties) { pointer in
            properties.pNext = UnsafeMutableRawPointer(pointer)
            vkGetPhysicalDeviceProperties2(device, &properties)
        }
        let name = string(fromCArray: driverProperties.driverName)
        let info = string(fromCArray: driverProperties.driverInfo)
        let words = [name, info].filter { !$0.isEmpty }
        return words.isEmpty ? "version \(packed)" : words.joined(separator: " ")
    }

    static func queueFamilies(_ device: VkPhysicalDevice) -> [VkQueueFamilyProperties] {
        var count: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(device, &count, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(count))
        vkGetPhysicalDeviceQueueFamilyProperties(device, &count, &families)
        return Array(families.prefix(Int(count)))
    }

    static func computeQueueFamily(_ device: VkPhysicalDevice) -> UInt32? {
        queueFamilies(device).firstIndex { $0.queueFlags & VkQueueFlags(VK_QUEUE_COMPUTE_BIT.rawValue) != 0 }.map(UInt32.init)
    }
}

/// Listing and choosing devices.
public enum VulkanDevices {
    /// The environment variable that picks a device by its index in `belm devices`.
    public static let environmentVariable = "BELM_VULKAN_DEVICE"

    /// Whether the Khronos validation layer is installed (tests turn it on when it is).
    public static var validationLayerInstalled: Bool { VulkanInstance.validationLayerAvailable }

    /// Every physical device the loader reports.
    public static func list() throws -> [VulkanDeviceDescription] {
        let instance = try VulkanInstance(validation: false)
        return try instance.physicalDevices().enumerated().map { VulkanDeviceDescription(index: $0.offset, device: $0.element, instance: instance.handle) }
    }

    /// The device to use: `requested` (or the environment variable) when given, else the most preferred kind
    /// with a compute queue, the lowest index among equals.
    public static func choose(among devices: [VulkanDeviceDescription], requested: Int? = nil) throws -> Int {
        let environment = ProcessInfo.processInfo.environment[environmentVariable]
        var wanted = requested
        if wanted == nil, let environment, !environment.isEmpty {
            guard let index = Int(environment) else {
                throw VulkanError.noDevice("\(environmentVariable)=\(environment) is not a device index; see `belm devices`")
            }
            wanted = index
        }
        if let wanted {
            guard devices.indices.contains(wanted), devices[wanted].hasComputeQueue else {
                throw VulkanError.noDevice("device \(wanted) does not exist or cannot compute (\(devices.count) devices; see `belm devices`)")
            }
            return wanted
        }
        guard let best = devices.filter(\.hasComputeQueue).min(by: { ($0.kind.preference, $0.index) < ($1.kind.preference, $1.index) }) else {
            throw VulkanError.noDevice("no Vulkan device with a compute queue; install a driver "
                + "(e.g. `apt-get install mesa-vulkan-drivers` for lavapipe) or use --backend cpu")
        }
        return best.index
    }
}
