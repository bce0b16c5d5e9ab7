import CVulkan
import Foundation

/// A VkInstance, with the Khronos validation layer and a messenger feeding a `ValidationLog` when asked for.
final class VulkanInstance {
    static let validationLayer = "VK_LAYER_KHRONOS_validation"

    let handle: VkInstance
    let validationLog: ValidationLog?
    private var messenger: VkDebugUtilsMessengerEXT?

    /// Whether the validation layer is installed (Debian: vulkan-validationlayers).
    static var validationLayerAvailable: Bool {
        guard VulkanLibrary.isAvailable else { return false }
        var count: UInt32 = 0
        guard vkEnumerateInstanceLayerProperties(&count, nil) == VK_SUCCESS, count > 0 else { return false }
        var layers = [VkLayerProperties](repeating: VkLayerProperties(), count: Int(count))
        guard vkEnumerateInstanceLayerProperties(&count, &layers) == VK_SUCCESS else { return false }
        return layers.prefix(Int(count)).contains { string(fromCArray: $0.layerName) == validationLayer }
    }

    init(validation: Bool) throws {
        guard VulkanLibrary.isAvailable else {
            throw VulkanError.noDevice("the Vulkan loader (\(VulkanLibrary.fileName)) is not installed; install it "
                + "(Debian: `apt-get install libvulkan1 mesa-vulkan-drivers`) or use --backend cpu")
        }
        let useValidation = validation && Self.validationLayerAvailable
        let layerNames = useValidation ? [Self.validationLayer] : []
        let extensionNames = useValidation ? ["VK_EXT_debug_utils"] : []
        let log = useValidation ? ValidationLog() : nil

        let (result, instance) = Self.create(layerNames: layerNames, extensionNames: extensionNames)
        if result == VK_ERROR_INCOMPATIBLE_DRIVER || result == VK_ERROR_INITIALIZATION_FAILED {
            throw VulkanError.noDevice("no Vulkan driver found (vkCreateInstance: \(result.rawValue)); install a driver, "
                + "e.g. `apt-get install mesa-vulkan-drivers` for the CPU device lavapipe, or use --backend cpu")
        }
        try check(result, "vkCreateInstance")
        handle = instance!
        validationLog = log
        Self.keepLibrariesLoaded(layerNames: layerNames)

        if let log {
            var info = VkDebugUtilsMessengerCreateInfoEXT()
            info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
            info.messageSeverity = VkDebugUtilsMessageSeverityFlagsEXT(
                VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue)
            info.messageType = VkDebugUtilsMessageTypeFlagsEXT(
                VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue
                    | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue)
            info.pfnUserCallback = ValidationLog.callback
            info.pUserData = Unmanaged.passUnretained(log).toOpaque()
            guard let raw = vkGetInstanceProcAddr(handle, "vkCreateDebugUtilsMessengerEXT") else {
                throw VulkanError.noDevice("the validation layer is installed but VK_EXT_debug_utils is missing")
            }
            let create = unsafeBitCast(raw, to: PFN_vkCreateDebugUtilsMessengerEXT.self)
            var messenger: VkDebugUtilsMessengerEXT?
            try check(create(handle, &info, nil, &messenger), "vkCreateDebugUtilsMessengerEXT")
            self.messenger = messenger
        }
    }

    /// vkCreateInstance with these layers and extensions, asking for Vulkan 1.1.
    private static func create(layerNames: [String], extensionNames: [String]) -> (VkResult, VkInstance?) {
        var instance: VkInstance?
        let result = withCStrings(layerNames) { layers in
            withCStrings(extensionNames) { extensions in
                "belm".withCString { appName in
                    var app = VkApplicationInfo()
                    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
                    app.pApplicationName = appName
                    app.pEngineName = appName
                    app.apiVersion = vulkanVersion(1, 1, 0)
                    return withUnsafePointer(to: &app) { appPointer in
                        var info = VkInstanceCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                        info.pApplicationInfo = appPointer
                        info.enabledLayerCount = UInt32(layerNames.count)
                        info.ppEnabledLayerNames = layers
                        info.enabledExtensionCount = UInt32(extensionNames.count)
                        info.ppEnabledExtensionNames = extensions
                        return vkCreateInstance(&info, nil, &instance)
                    }
                }
            }
        }
        return (result, instance)
    }

    private static let keeperLock = NSLock()
    nonisolated(unsafe) private static var keptLayerSets: Set<[String]> = []

    /// The loader opens the driver's and the layers' libraries for each instance and closes them when it is
    /// destroyed. On an H200 the test suite, which makes and drops many backends at once, died with SIGSEGV in
    /// 3 of 9 runs, in a thread whose code was no longer mapped: by all appearances one the NVIDIA driver had
    /// started and left running after its library was closed. So the first instance with each set of layers is
    /// joined by a bare one that is never destroyed, which keeps those libraries loaded for the life of the
    /// process (6 of 6 runs passed after).
    private static func keepLibrariesLoaded(layerNames: [String]) {
        keeperLock.lock()
        defer { keeperLock.unlock() }
        guard !keptLayerSets.contains(layerNames) else { return }
        if case (VK_SUCCESS, .some) = create(layerNames: layerNames, extensionNames: []) {
            keptLayerSets.insert(layerNames)
        }
    }

    deinit {
        if let messenger, let raw = vkGetInstanceProcAddr(handle, "vkDestroyDebugUtilsMessengerEXT") {
            unsafeBitCast(raw, to: PFN_vkDestroyDebugUtilsMessengerEXT.self)(handle, messenger, nil)
        }
        vkDestroyInstance(handle, nil)
    }

    func physicalDevices() throws -> [VkPhysicalDevice] {
        var count: UInt32 = 0
        try check(vkEnumeratePhysicalDevices(handle, &count, nil), "vkEnumeratePhysicalDevices")
        var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        try check(vkEnumeratePhysicalDevices(handle, &count, &devices), "vkEnumeratePhysicalDevices")
        return devices.prefix(Int(count)).compactMap { $0 }
    }
}

func vulkanVersion(_ major: UInt32, _ minor: UInt32, _ patch: UInt32) -> UInt32 {
    (major << 22) | (minor << 12) | patch
}

/// Calls `body` with a C array of C strings that lives for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeBufferPointer { body(strings.isEmpty ? nil : $0.baseAddress) }
}
