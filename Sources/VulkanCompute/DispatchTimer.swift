import CVulkan
import Dispatch

/// Times single dispatches for the per-kernel profile. On a queue with timestamps it brackets the dispatch with
/// two device timestamps, so the figure is the kernel's own run time; on a GPU the submit-and-wait round trip
/// around one dispatch is often longer than the kernel. Without timestamps it falls back to wall time.
final class DispatchTimer {
    /// Held so that the device outlives the query pool.
    private let context: VulkanContext
    private var device: VkDevice { context.device }
    private let pool: VkQueryPool?
    /// Nanoseconds per timestamp tick, and the mask of valid timestamp bits.
    private let period: Double
    private let validMask: UInt64
    private var wallStart: UInt64 = 0

    /// Whether figures come from device timestamps (else from the host's clock).
    var usesTimestamps: Bool { pool != nil }

    init(context: VulkanContext) {
        self.context = context
        let device = context.device
        period = Double(context.limits.timestampPeriod)
        let bits = context.timestampValidBits
        validMask = bits >= 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
        var info = VkQueryPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO
        info.queryType = VK_QUERY_TYPE_TIMESTAMP
        info.queryCount = 2
        var pool: VkQueryPool?
        if bits > 0, period > 0, vkCreateQueryPool(device, &info, nil, &pool) == VK_SUCCESS {
            self.pool = pool
        } else {
            self.pool = nil
        }
    }

    deinit {
        if let pool { vkDestroyQueryPool(device, pool, nil) }
    }

    /// Recorded just before the dispatch. Both stamps are taken at the bottom of the pipe: the first when
    /// everything recorded before it has finished, the second when the dispatch has.
    func recordStart(_ commandBuffer: VkCommandBuffer) {
        guard let pool else { return }
        vkCmdResetQueryPool(commandBuffer, pool, 0, 2)
        vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0)
    }

    func recordEnd(_ commandBuffer: VkCommandBuffer) {
        guard let pool else { return }
        vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 1)
    }

    /// Called before the submission that runs the dispatch.
    func submitted() { wallStart = DispatchTime.now().uptimeNanoseconds }

    /// Called after that submission has completed: the dispatch's seconds.
    func elapsedSeconds() -> Double {
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        guard let pool else { return wall }
        var stamps = [UInt64](repeating: 0, count: 2)
        let result = stamps.withUnsafeMutableBytes { raw in
            vkGetQueryPoolResults(device, pool, 0, 2, raw.count, raw.baseAddress, 8,
                                  VkQueryResultFlags(VK_QUERY_RESULT_64_BIT.rawValue | VK_QUERY_RESULT_WAIT_BIT.rawValue))
        }
        guard result == VK_SUCCESS else { return wall }
        let ticks = (stamps[1] & validMask) &- (stamps[0] & validMask)
        return Double(ticks & validMask) * period / 1e9
    }
}
