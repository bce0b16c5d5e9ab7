import Foundation

/// One matrix-multiply shape a device's cooperative-matrix extension advertises: D (M × N) = A (M × K) · B (K × N)
/// + C (M × N), with each operand's component type and the scope whose invocations share the matrices.
public struct CooperativeMatrixShape: Hashable, Sendable, CustomStringConvertible {
    public enum ComponentType: Hashable, Sendable, CustomStringConvertible {
        case fp16, fp32, fp64
        case signed(bits: Int), unsigned(bits: Int)
        /// A value this build's Vulkan headers do not name.
        case unknown(UInt32)

        public var description: String {
            switch self {
            case .fp16: return "fp16"
            case .fp32: return "fp32"
            case .fp64: return "fp64"
            case .signed(let bits): return "s\(bits)"
            case .unsigned(let bits): return "u\(bits)"
            case .unknown(let raw): return "type \(raw)"
            }
        }
    }

    public enum Scope: Hashable, Sendable, CustomStringConvertible {
        case device, workgroup, subgroup, queueFamily
        case unknown(UInt32)

        public var description: String {
            switch self {
            case .device: return "device"
            case .workgroup: return "workgroup"
            case .subgroup: return "subgroup"
            case .queueFamily: return "queue family"
            case .unknown(let raw): return "scope \(raw)"
            }
        }
    }

    public let m: Int, n: Int, k: Int
    public let a: ComponentType, b: ComponentType, c: ComponentType, d: ComponentType
    public let scope: Scope

    public init(m: Int, n: Int, k: Int, a: ComponentType, b: ComponentType, c: ComponentType, d: ComponentType, scope: Scope) {
        (self.m, self.n, self.k) = (m, n, k)
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
        self.scope = scope
    }

    /// "16×16×16 fp16·fp16 + fp32 → fp32, subgroup".
    public var description: String { "\(m)×\(n)×\(k) \(a)·\(b) + \(c) → \(d), \(scope)" }
}

/// What a device offers for belm's cooperative-matrix GEMM (`conv2d_coopmat_nv.comp`, VK_NV_cooperative_matrix):
/// the extension and its feature, the shapes it advertises, and the other features the kernel's SPIR-V declares
/// (Float16 for its fp16 matrices, the Vulkan memory model that glslang emits for cooperative-matrix loads,
/// subgroup ids). The kernel is off by default: it runs only where `isUsable` and `BELM_VULKAN_COOPMAT=1`.
public struct CooperativeMatrixSupport: Sendable {
    public static let extensionName = "VK_NV_cooperative_matrix"
    /// Device extensions the kernel needs beside `extensionName` (the instance asks for Vulkan 1.1, so features
    /// promoted to 1.2 are enabled through their extensions).
    public static let companionExtensions = ["VK_KHR_shader_float16_int8", "VK_KHR_vulkan_memory_model"]
    /// The one shape the kernel is written for: fp16 inputs, fp32 accumulation. Shapes that accumulate in fp16 are
    /// never taken: fp16 sums overflow and lose the small terms of long reductions (a known source of NaNs in
    /// diffusion models), while belm promises fp32 accumulation in every product.
    public static let kernelShape = CooperativeMatrixShape(m: 16, n: 16, k: 16, a: .fp16, b: .fp16, c: .fp32, d: .fp32, scope: .subgroup)
    /// The kernel lays its 256 invocations out as 8 subgroups of 32.
    public static let kernelSubgroupSize: UInt32 = 32
    /// The environment variable that turns the kernel on (`1`); off when unset, empty or `0`.
    public static let environmentVariable = "BELM_VULKAN_COOPMAT"

    /// The device advertises VK_NV_cooperative_matrix.
    public let hasExtension: Bool
    /// Its `cooperativeMatrix` feature.
    public let cooperativeMatrixFeature: Bool
    /// Its supported stages include compute.
    public let computeStage: Bool
    /// The shapes vkGetPhysicalDeviceCooperativeMatrixPropertiesNV lists (empty without the extension).
    public let shapes: [CooperativeMatrixShape]
    public let shaderFloat16: Bool
    /// Not needed by the kernel (it reads fp16 through uint vectors); shown because fp16 activations want it.
    public let storageBuffer16BitAccess: Bool
    public let vulkanMemoryModel: Bool
    public let subgroupSize: UInt32
    /// Subgroup ids and barriers (the basic subgroup operations) in compute shaders.
    public let subgroupBasicInCompute: Bool
    /// Which of `companionExtensions` the device does not advertise.
    public let missingCompanionExtensions: [String]

    public init(hasExtension: Bool, cooperativeMatrixFeature: Bool, computeStage: Bool, shapes: [CooperativeMatrixShape],
                shaderFloat16: Bool, storageBuffer16BitAccess: Bool, vulkanMemoryModel: Bool, subgroupSize: UInt32,
                subgroupBasicInCompute: Bool, missingCompanionExtensions: [String]) {
        self.hasExtension = hasExtension
        self.cooperativeMatrixFeature = cooperativeMatrixFeature
        self.computeStage = computeStage
        self.shapes = shapes
        self.shaderFloat16 = shaderFloat16
        self.storageBuffer16BitAccess = storageBuffer16BitAccess
        self.vulkanMemoryModel = vulkanMemoryModel
        self.subgroupSize = subgroupSize
        self.subgroupBasicInCompute = subgroupBasicInCompute
        self.missingCompanionExtensions = missingCompanionExtensions
    }

    /// The shape the kernel uses among `shapes`: `kernelShape` if advertised, else nil (in particular where the
    /// only fp16 shapes accumulate in fp16).
    public static func chosenShape(among shapes: [CooperativeMatrixShape]) -> CooperativeMatrixShape? {
        shapes.first { $0 == kernelShape }
    }

    /// Why the kernel cannot run on this device, or nil when it can.
    public var unusableReason: String? {
        guard hasExtension else { return "no \(Self.extensionName)" }
        guard cooperativeMatrixFeature, computeStage else { return "\(Self.extensionName) without its feature in compute shaders" }
        guard Self.chosenShape(among: shapes) != nil else {
            return "no \(Self.kernelShape) shape (fp32 accumulation); the device lists "
                + (shapes.isEmpty ? "none" : shapes.map(\.description).joined(separator: "; "))
        }
        guard missingCompanionExtensions.isEmpty else { return "missing \(missingCompanionExtensions.joined(separator: ", "))" }
        guard shaderFloat16 else { return "no shaderFloat16" }
        guard vulkanMemoryModel else { return "no vulkanMemoryModel" }
        guard subgroupBasicInCompute, subgroupSize == Self.kernelSubgroupSize else {
            return "subgroup size \(subgroupSize) (the kernel needs \(Self.kernelSubgroupSize), with subgroup ids in compute shaders)"
        }
        return nil
    }

    public var isUsable: Bool { unusableReason == nil }

    /// Whether `BELM_VULKAN_COOPMAT` asks for the kernel (`1`); unset, empty and `0` do not.
    static func requestedByEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Bool {
        switch environment[environmentVariable] ?? "" {
        case "", "0": return false
        case "1": return true
        case let value:
            throw VulkanError.noDevice("\(environmentVariable)=\(value) is neither 1 (cooperative-matrix GEMM where the device "
                + "has it) nor 0 (off, the default)")
        }
    }
}
