import CVulkan

/// Records dispatches and copies lazily into command buffers and submits them in batches: when a frame holds
/// `dispatchesPerSubmit` dispatches or much staged data, and whenever values are read back. A small ring of
/// frames (command buffer, fence, descriptor pool, staging memory) lets recording continue while earlier
/// batches run. Every command is preceded by a global memory barrier, which orders dependent dispatches and
/// makes immediate reuse of freed arena memory safe.
final class CommandStream {
    final class Frame {
        let commandPool: VkCommandPool
        let commandBuffer: VkCommandBuffer
        let fence: VkFence
        let descriptorPool: VkDescriptorPool
        var staging: [StagingBuffer] = []
        var dispatches = 0
        var stagedBytes = 0
        var recording = false
        var inFlight = false

        init(context: VulkanContext, maxSets: Int) throws {
            let device = context.device
            var poolInfo = VkCommandPoolCreateInfo()
            poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
            poolInfo.queueFamilyIndex = context.queueFamily
            var commandPool: VkCommandPool?
            try check(vkCreateCommandPool(device, &poolInfo, nil, &commandPool), "vkCreateCommandPool")
            var allocate = VkCommandBufferAllocateInfo()
            allocate.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
            allocate.commandPool = commandPool
            allocate.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
            allocate.commandBufferCount = 1
            var commandBuffer: VkCommandBuffer?
            try check(vkAllocateCommandBuffers(device, &allocate, &commandBuffer), "vkAllocateCommandBuffers")
            var fenceInfo = VkFenceCreateInfo()
            fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
            var fence: VkFence?
            try check(vkCreateFence(device, &fenceInfo, nil, &fence), "vkCreateFence")
            var sizes = [
                VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount: UInt32(maxSets * Kernel.storageBindings)),
                VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, descriptorCount: UInt32(maxSets * Kernel.texelBindings)),
            ]
            var descriptorPool: VkDescriptorPool?
            try sizes.withUnsafeMutableBufferPointer { pointer in
                var info = VkDescriptorPoolCreateInfo()
                info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
                info.maxSets = UInt32(maxSets)
                info.poolSizeCount = UInt32(pointer.count)
                info.pPoolSizes = UnsafePointer(pointer.baseAddress)
                try check(vkCreateDescriptorPool(device, &info, nil, &descriptorPool), "vkCreateDescriptorPool")
            }
            self.commandPool = commandPool!
            self.commandBuffer = commandBuffer!
            self.fence = fence!
            self.descriptorPool = descriptorPool!
        }

        func destroy(_ device: VkDevice) {
            staging.forEach { $0.destroy(device) }
            vkDestroyDescriptorPool(device, descriptorPool, nil)
            vkDestroyFence(device, fence, nil)
            vkDestroyCommandPool(device, commandPool, nil)
        }
    }

    let context: VulkanContext
    let kernels: KernelLibrary
    let dispatchesPerSubmit: Int
    let stagedBytesPerSubmit = 64 << 20
    private var frames: [Frame] = []
    private var current = 0
    /// Bound to binding slots a kernel does not use, so that every descriptor is valid.
    private let placeholder: DeviceRegion
    /// Submissions so far (for tests and benchmarks).
    private(set) var submissions = 0
    /// When set, every dispatch is submitted and waited for alone and its time (`timer`) added to `profile`
    /// (a per-kernel breakdown for benchmarks; it serialises everything, so totals exceed normal runs).
    var profiling = false
    private(set) var profile: [Kernel: (count: Int, seconds: Double)] = [:]
    private(set) lazy var timer = DispatchTimer(context: context)

    init(context: VulkanContext, kernels: KernelLibrary, arena: DeviceArena, dispatchesPerSubmit: Int = 256) throws {
        self.context = context
        self.kernels = kernels
        self.dispatchesPerSubmit = dispatchesPerSubmit
        frames = try (0..<3).map { _ in try Frame(context: context, maxSets: dispatchesPerSubmit) }
        placeholder = try arena.allocate(bytes: 256)
    }

    deinit {
        finish()
        frames.forEach { $0.destroy(context.device) }
    }

    private var frame: Frame { frames[current] }

    private func begin() -> VkCommandBuffer {
        let frame = self.frame
        if !frame.recording {
            var info = VkCommandBufferBeginInfo()
            info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
            info.flags = VkCommandBufferUsageFlags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue)
            mustSucceed(vkBeginCommandBuffer(frame.commandBuffer, &info), "vkBeginCommandBuffer")
            frame.recording = true
        }
        return frame.commandBuffer
    }

    private func barrier(_ commandBuffer: VkCommandBuffer) {
        var barrier = VkMemoryBarrier()
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        barrier.srcAccessMask = VkAccessFlags(VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue)
        barrier.dstAccessMask = VkAccessFlags(VK_ACCESS_SHADER_READ_BIT.rawValue | VK_ACCESS_SHADER_WRITE_BIT.rawValue
            | VK_ACCESS_TRANSFER_READ_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue)
        let stages = VkPipelineStageFlags(VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue)
        vkCmdPipelineBarrier(commandBuffer, stages, stages, 0, 1, &barrier, 0, nil, 0, nil)
    }

    /// Records one dispatch of the kernel whose push constants `params` are. `storage` fills bindings 0..<4 in order
    /// (nil: a placeholder the kernel ignores), `texels` bindings 4..<8 (views over whole blocks, RGBA32F or R32F;
    /// the kernel gets the regions' texel offsets through `params`).
    func dispatch<Params: PushConstants>(_ params: Params, storage: [DeviceRegion?], texels: [VkBufferView] = [],
                                         groups: (UInt32, UInt32, UInt32)) {
        let kernel = Params.kernel
        precondition(storage.count <= Kernel.storageBindings && texels.count <= Kernel.texelBindings
                     && MemoryLayout<Params>.size <= Kernel.pushConstantBytes)
        if frame.dispatches >= dispatchesPerSubmit { flush() }
        // Kernels with an fp16 store path take `outHalf` as their pipeline variant too (`KernelLibrary.pipeline`).
        var halfOutput = false
        if let field = Params.fieldOffsets.first(where: { $0.name == "outHalf" }) {
            halfOutput = withUnsafeBytes(of: params) { $0.load(fromByteOffset: field.offset, as: UInt32.self) } != 0
        }
        let pipeline = kernels.pipeline(kernel, halfOutput: halfOutput)
        let commandBuffer = begin()
        let frame = self.frame
        frame.dispatches += 1

        var set: VkDescriptorSet?
        withUnsafePointer(to: kernels.setLayout as VkDescriptorSetLayout?) { layout in
            var info = VkDescriptorSetAllocateInfo()
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
            info.descriptorPool = frame.descriptorPool
            info.descriptorSetCount = 1
            info.pSetLayouts = layout
            mustSucceed(vkAllocateDescriptorSets(context.device, &info, &set), "vkAllocateDescriptorSets")
        }
        var bufferInfos = (0..<Kernel.storageBindings).map { slot in
            let binding = (slot < storage.count ? storage[slot] : nil) ?? placeholder
            return VkDescriptorBufferInfo(buffer: binding.block.buffer, offset: VkDeviceSize(binding.offset), range: VkDeviceSize(binding.size))
        }
        var views: [VkBufferView?] = (0..<Kernel.texelBindings).map { slot in
            slot < texels.count ? texels[slot] : placeholder.block.view
        }
        bufferInfos.withUnsafeMutableBufferPointer { buffers in
            views.withUnsafeMutableBufferPointer { viewPointer in
                var writes = [VkWriteDescriptorSet]()
                for slot in 0..<Kernel.storageBindings {
                    var write = VkWriteDescriptorSet()
                    write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
                    write.dstSet = set
                    write.dstBinding = UInt32(slot)
                    write.descriptorCount = 1
                    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                    write.pBufferInfo = UnsafePointer(buffers.baseAddress! + slot)
                    writes.append(write)
                }
                for slot in 0..<Kernel.texelBindings {
                    var write = VkWriteDescriptorSet()
                    write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
                    write.dstSet = set
                    write.dstBinding = UInt32(Kernel.storageBindings + slot)
                    write.descriptorCount = 1
                    write.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER
                    write.pTexelBufferView = UnsafePointer(viewPointer.baseAddress! + slot)
                    writes.append(write)
                }
                vkUpdateDescriptorSets(context.device, UInt32(writes.count), &writes, 0, nil)
            }
        }
        barrier(commandBuffer)
        vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline)
        vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernels.pipelineLayout, 0, 1, &set, 0, nil)
        if MemoryLayout<Params>.size > 0 {
            withUnsafeBytes(of: params) { bytes in
                vkCmdPushConstants(commandBuffer, kernels.pipelineLayout, VkShaderStageFlags(VK_SHADER_STAGE_COMPUTE_BIT.rawValue),
                                   0, UInt32(bytes.count), bytes.baseAddress)
            }
        }
        if profiling { timer.recordStart(commandBuffer) }
        vkCmdDispatch(commandBuffer, groups.0, groups.1, groups.2)
        if profiling {
            timer.recordEnd(commandBuffer)
            timer.submitted()
            finish()
            let seconds = timer.elapsedSeconds()
            let previous = profile[kernel] ?? (0, 0)
            profile[kernel] = (previous.count + 1, previous.seconds + seconds)
        }
    }

    func resetProfile() { profile = [:] }

    /// Fills a region with zeros.
    func zero(_ region: DeviceRegion) {
        let commandBuffer = begin()
        barrier(commandBuffer)
        vkCmdFillBuffer(commandBuffer, region.block.buffer, VkDeviceSize(region.offset), VkDeviceSize(region.size), 0)
    }

    /// Copies `bytes` from the start of one region to the start of another.
    func copy(from source: DeviceRegion, to destination: DeviceRegion, bytes: Int) {
        precondition(bytes <= source.size && bytes <= destination.size)
        guard bytes > 0 else { return }
        let commandBuffer = begin()
        barrier(commandBuffer)
        var copy = VkBufferCopy(srcOffset: VkDeviceSize(source.offset), dstOffset: VkDeviceSize(destination.offset), size: VkDeviceSize(bytes))
        vkCmdCopyBuffer(commandBuffer, source.block.buffer, destination.block.buffer, 1, &copy)
    }

    /// Copies host data into a region through the current frame's staging memory.
    func upload(_ bytes: UnsafeRawBufferPointer, to region: DeviceRegion) {
        precondition(bytes.count <= region.size)
        guard bytes.count > 0 else { return }
        if frame.stagedBytes + bytes.count > stagedBytesPerSubmit && frame.stagedBytes > 0 { flush() }
        let (staging, offset) = stage(bytes.count)
        staging.mapped.advanced(by: offset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        let commandBuffer = begin()
        barrier(commandBuffer)
        var copy = VkBufferCopy(srcOffset: VkDeviceSize(offset), dstOffset: VkDeviceSize(region.offset), size: VkDeviceSize(bytes.count))
        vkCmdCopyBuffer(commandBuffer, staging.buffer, region.block.buffer, 1, &copy)
    }

    /// Reads `count` bytes of a region back to the host: records the copy, submits, waits.
    func download(_ region: DeviceRegion, count: Int, into destination: UnsafeMutableRawBufferPointer) {
        guard count > 0 else { return }
        let (staging, offset) = stage(count)
        let commandBuffer = begin()
        barrier(commandBuffer)
        var copy = VkBufferCopy(srcOffset: VkDeviceSize(region.offset), dstOffset: VkDeviceSize(offset), size: VkDeviceSize(count))
        vkCmdCopyBuffer(commandBuffer, region.block.buffer, staging.buffer, 1, &copy)
        var toHost = VkMemoryBarrier()
        toHost.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        toHost.srcAccessMask = VkAccessFlags(VK_ACCESS_TRANSFER_WRITE_BIT.rawValue)
        toHost.dstAccessMask = VkAccessFlags(VK_ACCESS_HOST_READ_BIT.rawValue)
        vkCmdPipelineBarrier(commandBuffer, VkPipelineStageFlags(VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue),
                             VkPipelineStageFlags(VK_PIPELINE_STAGE_HOST_BIT.rawValue), 0, 1, &toHost, 0, nil, 0, nil)
        let frame = self.frame
        flush()
        wait(frame)
        destination.baseAddress!.copyMemory(from: staging.mapped.advanced(by: offset), byteCount: count)
    }

    private func stage(_ count: Int) -> (StagingBuffer, Int) {
        let frame = self.frame
        frame.stagedBytes += count
        let aligned = (count + 255) / 256 * 256
        if let buffer = frame.staging.first(where: { $0.size - $0.used >= aligned }) {
            defer { buffer.used += aligned }
            return (buffer, buffer.used)
        }
        do {
            let buffer = try StagingBuffer(context: context, size: max(16 << 20, aligned))
            frame.staging.append(buffer)
            buffer.used = aligned
            return (buffer, 0)
        } catch {
            fatalError("out of host-visible memory for staging: \(error)")
        }
    }

    /// Submits what the current frame holds and moves to the next frame (waiting for it if still in flight).
    func flush() {
        let frame = self.frame
        guard frame.recording else { return }
        mustSucceed(vkEndCommandBuffer(frame.commandBuffer), "vkEndCommandBuffer")
        var commandBuffer: VkCommandBuffer? = frame.commandBuffer
        withUnsafePointer(to: &commandBuffer) { pointer in
            var submit = VkSubmitInfo()
            submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            submit.commandBufferCount = 1
            submit.pCommandBuffers = pointer
            mustSucceed(vkQueueSubmit(context.queue, 1, &submit, frame.fence), "vkQueueSubmit")
        }
        frame.recording = false
        frame.inFlight = true
        submissions += 1
        current = (current + 1) % frames.count
        wait(self.frame)
    }

    /// Waits for a frame's submission and makes the frame reusable.
    private func wait(_ frame: Frame) {
        guard frame.inFlight else { return }
        var fence: VkFence? = frame.fence
        mustSucceed(vkWaitForFences(context.device, 1, &fence, VkBool32(VK_TRUE), UInt64.max), "vkWaitForFences")
        mustSucceed(vkResetFences(context.device, 1, &fence), "vkResetFences")
        mustSucceed(vkResetCommandPool(context.device, frame.commandPool, 0), "vkResetCommandPool")
        mustSucceed(vkResetDescriptorPool(context.device, frame.descriptorPool, 0), "vkResetDescriptorPool")
        frame.staging.forEach { $0.used = 0 }
        frame.dispatches = 0
        frame.stagedBytes = 0
        frame.inFlight = false
    }

    /// Submits everything and waits for all of it.
    func finish() {
        flush()
        frames.forEach(wait)
    }
}
