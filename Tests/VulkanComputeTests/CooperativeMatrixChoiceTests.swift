import Testing
@testable import VulkanCompute

/// Which advertised cooperative-matrix shape the kernel takes, and when the device cannot run it, decided from fixed
/// property lists (no device needed): only the 16 × 16 × 16 fp16 shape with fp32 accumulators at subgroup scope.
@Suite struct CooperativeMatrixChoiceTests {
    typealias Shape = CooperativeMatrixShape

    static func shape(_ m: Int, _ n: Int, _ k: Int, _ ab: Shape.ComponentType, _ cd: Shape.ComponentType,
                      _ scope: Shape.Scope = .subgroup) -> Shape {
        Shape(m: m, n: n, k: k, a: ab, b: ab, c: cd, d: cd, scope: scope)
    }

    /// What an NVIDIA driver lists for VK_NV_cooperative_matrix on Ampere and Hopper, in its order.
    static let nvidiaShapes = [
        shape(16, 8, 16, .fp16, .fp16), shape(16, 8, 8, .fp16, .fp16), shape(16, 16, 16, .fp16, .fp16),
        shape(16, 8, 16, .fp16, .fp32), shape(16, 8, 8, .fp16, .fp32), shape(16, 16, 16, .fp16, .fp32),
        shape(8, 8, 32, .signed(bits: 8), .signed(bits: 32)), shape(16, 16, 32, .signed(bits: 8), .signed(bits: 32)),
    ]

    static func support(shapes: [Shape] = nvidiaShapes, hasExtension: Bool = true, shaderFloat16: Bool = true,
                        vulkanMemoryModel: Bool = true, subgroupSize: UInt32 = 32, missing: [String] = []) -> CooperativeMatrixSupport {
        CooperativeMatrixSupport(hasExtension: hasExtension, cooperativeMatrixFeature: hasExtension, computeStage: hasExtension,
                                 shapes: hasExtension ? shapes : [], shaderFloat16: shaderFloat16, storageBuffer16BitAccess: true,
                                 vulkanMemoryModel: vulkanMemoryModel, subgroupSize: subgroupSize, subgroupBasicInCompute: true,
                                 missingCompanionExtensions: missing)
    }

    @Test func takesTheSixteenCubedFP16ShapeWithFP32Accumulators() {
        #expect(CooperativeMatrixSupport.chosenShape(among: Self.nvidiaShapes) == Self.shape(16, 16, 16, .fp16, .fp32))
        #expect(Self.support().isUsable)
        #expect(Self.support().unusableReason == nil)
        #expect("\(CooperativeMatrixSupport.kernelShape)" == "16×16×16 fp16·fp16 + fp32 → fp32, subgroup")
    }

    @Test func refusesShapesThatAccumulateInFP16() {
        let halfOnly = Self.nvidiaShapes.filter { $0.c != .fp32 }
        #expect(CooperativeMatrixSupport.chosenShape(among: halfOnly) == nil)
        let reason = Self.support(shapes: halfOnly).unusableReason ?? ""
        #expect(reason.contains("fp32 accumulation") && reason.contains("16×16×16 fp16·fp16 + fp16 → fp16, subgroup"), "\(reason)")
    }

    @Test func refusesOtherScopesAndSizes() {
        #expect(CooperativeMatrixSupport.chosenShape(among: [Self.shape(16, 16, 16, .fp16, .fp32, .workgroup)]) == nil)
        #expect(CooperativeMatrixSupport.chosenShape(among: [Self.shape(16, 8, 16, .fp16, .fp32), Self.shape(32, 8, 16, .fp16, .fp32)]) == nil)
        // fp16 inputs with an fp32 C but an fp16 result is not fp32 accumulation either.
        #expect(CooperativeMatrixSupport.chosenShape(among: [Shape(m: 16, n: 16, k: 16, a: .fp16, b: .fp16, c: .fp32, d: .fp16, scope: .subgroup)]) == nil)
    }

    @Test func namesWhatIsMissing() {
        #expect(Self.support(hasExtension: false).unusableReason == "no VK_NV_cooperative_matrix")
        #expect(Self.support(shaderFloat16: false).unusableReason == "no shaderFloat16")
        #expect(Self.support(vulkanMemoryModel: false).unusableReason == "no vulkanMemoryModel")
        #expect(Self.support(missing: ["VK_KHR_vulkan_memory_model"]).unusableReason == "missing VK_KHR_vulkan_memory_model")
        // The kernel lays out 8 subgroups of 32: a wave64 device cannot run it.
        #expect(Self.support(subgroupSize: 64).unusableReason?.contains("subgroup size 64") == true)
        #expect(Self.support(shapes: []).unusableReason?.hasSuffix("the device lists none") == true)
    }

    @Test func environmentVariableIsOffUnlessOne() throws {
        let name = CooperativeMatrixSupport.environmentVariable
        #expect(name == "BELM_VULKAN_COOPMAT")
        #expect(try CooperativeMatrixSupport.requestedByEnvironment([:]) == false)
        #expect(try CooperativeMatrixSupport.requestedByEnvironment([name: ""]) == false)
        #expect(try CooperativeMatrixSupport.requestedByEnvironment([name: "0"]) == false)
        #expect(try CooperativeMatrixSupport.requestedByEnvironment([name: "1"]) == true)
        #expect {
            try CooperativeMatrixSupport.requestedByEnvironment([name: "yes"])
        } throws: { "\($0)".contains("BELM_VULKAN_COOPMAT=yes") }
    }
}
