import Compute
import Testing
import VulkanCompute

@Suite struct BackendResourceTests {
    @Test func validationLayerIsActiveWhenInstalled() throws {
        let h = try DifferentialHarness()
        let installed = VulkanDevices.validationLayerInstalled
        #expect(h.vulkan.isValidating == installed)
    }

    @Test func arenaMemoryDoesNotGrowOverRepeatedSteps() throws {
        let h = try DifferentialHarness()
        let backend = h.vulkan
        let weight = backend.tensor(h.random(16 * 8 * 9), shape: [16, 8, 3, 3])
        var x = backend.tensor(h.random(2 * 8 * 12 * 12), shape: [2, 8, 12, 12])
        func step(_ x: Tensor) -> Tensor {
            let y = backend.conv2d(x, weight: weight, bias: nil, stride: 1, padding: 1)
            let z = backend.groupNorm(y, groups: 4, eps: 1e-5, weight: nil, bias: nil, silu: true)
            let back = backend.slice(z, axis: 1, range: 0..<8)
            return backend.linearCombination([(x, 0.9), (back, 0.1)])
        }
        for _ in 0..<3 { x = step(x) }
        _ = x.values()
        let reserved = backend.reservedDeviceBytes
        for _ in 0..<20 { x = step(x) }
        _ = x.values()
        #expect(backend.reservedDeviceBytes == reserved)
        h.expectNoValidationMessages()
    }

    /// The per-kernel profile times each dispatch on the device's own clock where the queue has timestamps
    /// (lavapipe's does): a 64-channel 3×3 conv must show up, and take longer than a 16-element add.
    @Test func profileTimesEachKernelByDeviceTimestamps() throws {
        let h = try DifferentialHarness()
        let backend = h.vulkan
        backend.winograd = false  // one conv2d dispatch rather than the Winograd transforms and products
        let x = backend.tensor(h.random(2 * 64 * 32 * 32), shape: [2, 64, 32, 32])
        let weight = backend.tensor(h.random(64 * 64 * 9), shape: [64, 64, 3, 3])
        let small = backend.tensor(h.random(16), shape: [16])
        _ = backend.conv2d(x, weight: weight, bias: nil, stride: 1, padding: 1).values()  // weights packed before timing
        backend.profiling = true
        _ = backend.conv2d(x, weight: weight, bias: nil, stride: 1, padding: 1).values()
        _ = backend.add(small, small).values()
        backend.profiling = false
        let profile = backend.takeKernelProfile()
        if backend.device.kind == .cpu { #expect(backend.profileUsesDeviceTimestamps) }
        let conv = profile.first { $0.kernel.hasPrefix("conv2d") }
        let add = profile.first { $0.kernel.hasPrefix("broadcastBinary") }
        #expect(conv?.count == 1, "profile: \(profile)")
        #expect((conv?.seconds ?? 0) > 0, "profile: \(profile)")
        #expect((conv?.seconds ?? 0) > (add?.seconds ?? .infinity), "profile: \(profile)")
        #expect(backend.takeKernelProfile().isEmpty)
        h.expectNoValidationMessages()
    }

    @Test func devicesAreListedAndOneIsChosen() throws {
        let devices = try VulkanDevices.list()
        #expect(!devices.isEmpty)
        let chosen = try VulkanDevices.choose(among: devices)
        #expect(devices[chosen].hasComputeQueue)
        #expect(throws: VulkanError.self) { try VulkanDevices.choose(among: devices, requested: devices.count) }
    }

    @Test func maxTensorBytesIsWithinTheBindingLimit() throws {
        let backend = try DifferentialHarness().vulkan
        #expect(backend.maxTensorBytes > 0)
        #expect(UInt64(backend.maxTensorBytes) <= backend.device.maxStorageBufferRange)
    }

    /// A tensor beyond one binding cannot be made (the Backend contract has no error path): the process stops
    /// with a message that names the tensor's shape and the device limit, rather than failing inside the driver.
    @Test func tensorBeyondOneBindingStopsNamingItsShape() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let backend = try VulkanBackend()
            // A 2× upsampling whose result is just over the limit, from an input a quarter of that.
            let side = Int(Double(backend.maxTensorBytes / 16).squareRoot()) + 1
            let x = backend.tensor([Float](repeating: 0, count: side * side), shape: [1, 1, side, side])
            _ = backend.upsampleNearest2x(x).values()
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("a tensor of shape ["))
        #expect(message.contains("can bind at once"))
    }
}
