import Compute
import Testing
import VulkanCompute
@testable import BELMCommands

@Suite struct BackendOptionsTests {
    @Test func vulkanIsTheDefaultAndCPUCanBeChosen() throws {
        let defaults = try BackendOptions.parse([])
        #expect(defaults.backend == .vulkan)
        #expect(try defaults.makeBackend() is VulkanBackend)
        let cpu = try BackendOptions.parse(["--backend", "cpu"])
        #expect(try cpu.makeBackend() is CPUBackend)
    }

    @Test func aMissingDeviceIndexIsAnErrorNamingTheDevicesCommand() throws {
        let count = try VulkanDevices.list().count
        let options = try BackendOptions.parse(["--device", "\(count)"])
        #expect { try options.makeBackend() } throws: { error in "\(error)".contains("belm devices") }
    }

    @Test func devicesCommandRuns() throws {
        var command = try BELM.parseAsRoot(["devices"])
        try command.run()
    }
}
