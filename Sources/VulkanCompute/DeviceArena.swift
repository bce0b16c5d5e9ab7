import CVulkan

/// One VkBuffer over one VkDeviceMemory allocation, with an RGBA32F and an R32F texel view over the whole of it
/// so that kernels can read any region of it as vec4 or scalar texels (the region's texel offset goes in push
/// constants). On llvmpipe texel fetches are vectorised gathers while storage-buffer loads are per-lane loops,
/// so kernels read their inputs through these views.
final class DeviceBlock {
    let buffer: VkBuffer
    let memory: VkDeviceMemory
    let view: VkBufferView
    let scalarView: VkBufferView
    /// RGBA16F texels over the whole block (fp16 weights and activations), where the device has such texel buffers.
    let halfView: VkBufferView?
    /// R16F texels over the whole block (fp16 activations read as scalars), where the device has such texel buffers
    /// and the block's halves fit maxTexelBufferElements (the arena sizes blocks for the R32F view's quarter of that).
    let halfScalarView: VkBufferView?
    let size: Int

    init(context: VulkanContext, size: Int) throws {
        let device = context.device
        let (buffer, memory) = try context.makeBoundBuffer(
            size: size,
            usage: VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT.rawValue
                | VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue,
            memoryType: context.deviceMemoryType, purpose: "device block")
        func makeView(_ format: VkFormat, texelBytes: Int) throws -> VkBufferView {
            var viewInfo = VkBufferViewCreateInfo()
            viewInfo.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO
            viewInfo.buffer = buffer
            viewInfo.format = format
            viewInfo.offset = 0
            viewInfo.range = VkDeviceSize(size / texelBytes * texelBytes)
            var view: VkBufferView?
            try check(vkCreateBufferView(device, &viewInfo, nil, &view), "vkCreateBufferView")
            return view!
        }
        view = try makeView(VK_FORMAT_R32G32B32A32_SFLOAT, texelBytes: 16)
        scalarView = try makeView(VK_FORMAT_R32_SFLOAT, texelBytes: 4)
        halfView = context.halfTexelBuffers ? try makeView(VK_FORMAT_R16G16B16A16_SFLOAT, texelBytes: 8) : nil
        halfScalarView = context.halfScalarTexelBuffers && size / 2 <= Int(context.limits.maxTexelBufferElements)
            ? try makeView(VK_FORMAT_R16_SFLOAT, texelBytes: 2) : nil
        self.buffer = buffer
        self.memory = memory
        self.size = size
    }

    func destroy(_ device: VkDevice) {
        vkDestroyBufferView(device, view, nil)
        vkDestroyBufferView(device, scalarView, nil)
        if let halfView { vkDestroyBufferView(device, halfView, nil) }
        if let halfScalarView { vkDestroyBufferView(device, halfScalarView, nil) }
        vkDestroyBuffer(device, buffer, nil)
        vkFreeMemory(device, memory, nil)
    }
}

/// A suballocation of a block. Returns itself to the arena when released: a tensor's memory is reused as soon
/// as the tensor is gone. That is safe although recorded work may still read it, because every dispatch and
/// copy is ordered after all earlier ones by a barrier, so a later writer waits for earlier readers.
final class DeviceRegion {
    let arena: DeviceArena
    let block: DeviceBlock
    /// In bytes, from the start of the block; a multiple of the arena's alignment (at least 16).
    let offset: Int
    /// In bytes, rounded up to the arena's alignment.
    let size: Int

    init(arena: DeviceArena, block: DeviceBlock, offset: Int, size: Int) {
        self.arena = arena
        self.block = block
        self.offset = offset
        self.size = size
    }

    /// The region's start as an RGBA32F texel index into its block's `view`.
    var texelOffset: UInt32 { UInt32(offset / 16) }
    /// The region's start as a float index into its block's `scalarView`.
    var scalarOffset: UInt32 { UInt32(offset / 4) }
    /// The region's start as an RGBA16F texel index into its block's `halfView`.
    var halfTexelOffset: UInt32 { UInt32(offset / 8) }
    /// The region's start as a half index into its block's `halfScalarView`.
    var halfScalarOffset: UInt32 { UInt32(offset / 2) }

    deinit { arena.release(block: block, offset: offset, size: size) }
}

/// Suballocates device memory from a few large blocks with a best-fit free list, so that running a model
/// allocates device memory only while its working set grows, not per tensor per step. Blocks respect the
/// device's maxStorageBufferRange, maxMemoryAllocationSize and texel-buffer limits; a tensor too large for
/// one binding is an error that says so.
final class DeviceArena {
    let context: VulkanContext
    let alignment: Int
    let blockSize: Int
    let maxRegionSize: Int
    private(set) var blocks: [DeviceBlock] = []
    /// Free ranges per block (parallel to `blocks`), sorted by offset and coalesced.
    private var free: [[(offset: Int, size: Int)]] = []

    init(context: VulkanContext, preferredBlockSize: Int = 64 << 20) {
        self.context = context
        let limits = context.limits
        alignment = max(256, Int(limits.minStorageBufferOffsetAlignment), Int(limits.minTexelBufferOffsetAlignment))
        maxRegionSize = Int(min(UInt64(limits.maxStorageBufferRange), context.description.maxMemoryAllocationSize,
                                UInt64(limits.maxTexelBufferElements) * 4)) / alignment * alignment
        blockSize = min(preferredBlockSize, maxRegionSize)
    }

    /// Bytes of device memory held in blocks (what a long run's memory use is).
    var reservedBytes: Int { blocks.reduce(0) { $0 + $1.size } }
    /// Bytes of the blocks handed out in regions that are still alive.
    private(set) var allocatedBytes = 0

    func allocate(bytes: Int) throws -> DeviceRegion {
        let size = max(alignment, (bytes + alignment - 1) / alignment * alignment)
        guard size <= maxRegionSize else {
            throw VulkanError.tooLarge("a tensor of \(bytes) bytes exceeds what \(context.description.name) can bind at once "
                + "(\(maxRegionSize) bytes: maxStorageBufferRange / maxMemoryAllocationSize); use a smaller batch")
        }
        var best: (block: Int, slot: Int, size: Int)?
        for (b, ranges) in free.enumerated() {
            for (s, range) in ranges.enumerated() where range.size >= size && range.size < (best?.size ?? .max) {
                best = (b, s, range.size)
            }
        }
        if best == nil {
            let block = try DeviceBlock(context: context, size: max(blockSize, size))
            blocks.append(block)
            free.append([(0, block.size)])
            best = (blocks.count - 1, 0, block.size)
        }
        let (b, s, _) = best!
        let range = free[b][s]
        if range.size == size {
            free[b].remove(at: s)
        } else {
            free[b][s] = (range.offset + size, range.size - size)
        }
        allocatedBytes += size
        return DeviceRegion(arena: self, block: blocks[b], offset: range.offset, size: size)
    }

    func release(block: DeviceBlock, offset: Int, size: Int) {
        guard let b = blocks.firstIndex(where: { $0 === block }) else { return }
        allocatedBytes -= size
        var ranges = free[b]
        let slot = ranges.firstIndex { $0.offset > offset } ?? ranges.count
        ranges.insert((offset, size), at: slot)
        // Coalesce with the following and the preceding neighbour.
        if slot + 1 < ranges.count, ranges[slot].offset + ranges[slot].size == ranges[slot + 1].offset {
            ranges[slot].size += ranges[slot + 1].size
            ranges.remove(at: slot + 1)
        }
        if slot > 0, ranges[slot - 1].offset + ranges[slot - 1].size == ranges[slot].offset {
            ranges[slot - 1].size += ranges[slot].size
            ranges.remove(at: slot)
        }
        free[b] = ranges
    }

    deinit {
        for block in blocks { block.destroy(context.device) }
    }
}
