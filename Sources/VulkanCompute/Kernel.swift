import CVulkan

/// The kernels (`enum Kernel`, one case per `Shaders/*.comp`) and their push-constant structs are generated from
/// the shaders by GLSLCompilerPlugin (see its `KernelList`): adding a kernel is adding its `.comp` file, and its
/// `XxxParams` struct mirrors the shader's `Params` block, which PushConstantLayoutTests checks against the GLSL.
/// All kernels share one descriptor set layout (four storage buffers, four uniform texel buffers) and one
/// 128-byte push-constant range for shapes and scalars.
extension Kernel {
    static let storageBindings = 4
    static let texelBindings = 4
    static let pushConstantBytes = 128
}

/// A kernel's push constants: a plain struct of 32-bit fields whose bytes are pushed as they lie in memory, so
/// its stored properties must match the GLSL block in order, type and offset (`fieldOffsets`).
protocol PushConstants: BitwiseCopyable {
    /// The kernel these are the push constants of: dispatching a struct dispatches its kernel.
    static var kernel: Kernel { get }
    /// Each stored property's name and byte offset, in declaration order.
    static var fieldOffsets: [(name: String, offset: Int)] { get }
}

/// The shared layouts and the pipelines, each created the first time a kernel is used.
final class KernelLibrary {
    let context: VulkanContext
    let setLayout: VkDescriptorSetLayout
    let pipelineLayout: VkPipelineLayout
    /// By kernel and fp16-output variant (`pipeline(_:halfOutput:)`).
    private var pipelines: [PipelineKey: VkPipeline] = [:]

    private struct PipelineKey: Hashable {
        let kernel: Kernel
        let halfOutput: Bool
    }

    init(context: VulkanContext) throws {
        self.context = context
        var bindings = (0..<(Kernel.storageBindings + Kernel.texelBindings)).map { index in
            var binding = VkDescriptorSetLayoutBinding()
            binding.binding = UInt32(index)
            binding.descriptorType = index < Kernel.storageBindings ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
            binding.descriptorCount = 1
            binding.stageFlags = VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue)
            return binding
        }
        var setLayout: VkDescriptorSetLayout?
        try bindings.withUnsafeMutableBufferPointer { pointer in
            var info = VkDescriptorSetLayoutCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
            info.bindingCount = UInt32(pointer.count)
            info.pBindings = UnsafePointer(pointer.baseAddress)
            try check(vkCreateDescriptorSetLayout(context.device, &info, nil, &setLayout), "vkCreateDescriptorSetLayout")
        }
        self.setLayout = setLayout!
        var range = VkPushConstantRange()
        range.stageFlags = VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue)
        range.offset = 0
        range.size = UInt32(Kernel.pushConstantBytes)
        var pipelineLayout: VkPipelineLayout?
        try withUnsafePointer(to: &range) { rangePointer in
            try withUnsafePointer(to: setLayout) { layoutPointer in
                var info = VkPipelineLayoutCreateInfo()
                info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
                info.setLayoutCount = 1
                info.pSetLayouts = layoutPointer
                info.pushConstantRangeCount = 1
                info.pPushConstantRanges = rangePointer
                try check(vkCreatePipelineLayout(context.device, &info, nil, &pipelineLayout), "vkCreatePipelineLayout")
            }
        }
        self.pipelineLayout = pipelineLayout!
    }

    /// The kernel's pipeline, with specialization constant 0 (`OUT_HALF` in the kernels with an fp16 store path) set
    /// to `halfOutput`: the driver compiles the other store path away, where a branch on a push constant would keep
    /// both (llvmpipe runs both sides of a branch under masks). Shaders without the constant ignore it.
    func pipeline(_ kernel: Kernel, halfOutput: Bool) -> VkPipeline {
        let key = PipelineKey(kernel: kernel, halfOutput: halfOutput)
        if let pipeline = pipelines[key] { return pipeline }
        let words = SPIRV.words(kernel.spirv, name: kernel.rawValue)
        var module: VkShaderModule?
        words.withUnsafeBufferPointer { code in
            var info = VkShaderModuleCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
            info.codeSize = code.count * 4
            info.pCode = code.baseAddress
            mustSucceed(vkCreateShaderModule(context.device, &info, nil, &module), "vkCreateShaderModule(\(kernel.rawValue))")
        }
        defer { vkDestroyShaderModule(context.device, module, nil) }
        var pipeline: VkPipeline?
        var value: UInt32 = halfOutput ? 1 : 0
        var mapEntry = VkSpecializationMapEntry(constantID: 0, offset: 0, size: 4)
        withUnsafePointer(to: &mapEntry) { mapEntry in
            withUnsafeBytes(of: &value) { data in
                var specialization = VkSpecializationInfo(mapEntryCount: 1, pMapEntries: mapEntry, dataSize: 4, pData: data.baseAddress)
                withUnsafePointer(to: &specialization) { specialization in
                    "main".withCString { entry in
                        var info = VkComputePipelineCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
                        info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
                        info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT
                        info.stage.module = module
                        info.stage.pName = entry
                        info.stage.pSpecializationInfo = specialization
                        info.layout = pipelineLayout
                        mustSucceed(vkCreateComputePipelines(context.device, nil, 1, &info, nil, &pipeline),
                                    "vkCreateComputePipelines(\(kernel.rawValue))")
                    }
                }
            }
        }
        pipelines[key] = pipeline!
        return pipeline!
    }

    deinit {
        for pipeline in pipelines.values { vkDestroyPipeline(context.device, pipeline, nil) }
        vkDestroyPipelineLayout(context.device, pipelineLayout, nil)
        vkDestroyDescriptorSetLayout(context.device, setLayout, nil)
    }
}
