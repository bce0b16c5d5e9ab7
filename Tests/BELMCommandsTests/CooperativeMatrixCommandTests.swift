import BELMTestSupport
import Foundation
import Tensors
import Testing
import VulkanCompute

/// `BELM_VULKAN_COOPMAT` seen from outside: `belm devices` reports the device's cooperative matrices, a device
/// without them runs the usual kernels when the variable asks for them (same output, bit for bit), and a value
/// other than 0 or 1 is refused with a message naming the variable.
@Suite struct CooperativeMatrixCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelsTests/Fixtures/unet2d").standardizedFileURL

    static let deviceHasCooperativeMatrices: Bool = {
        guard let devices = try? VulkanDevices.list(), let index = try? VulkanDevices.choose(among: devices) else { return false }
        return devices[index].cooperativeMatrices.isUsable
    }()

    @Test func devicesReportsCooperativeMatrices() throws {
        let run = try BELMProcess.run(["devices"], environment: [CooperativeMatrixSupport.environmentVariable: "1"])
        #expect(run.status == 0, "\(run.errors)")
        if Self.deviceHasCooperativeMatrices {
            #expect(run.output.contains("cooperative-matrix GEMM: available"), "\(run.output)")
        } else {
            #expect(run.output.contains("cooperative matrices: none") || run.output.contains("cooperative-matrix GEMM: cannot run here"),
                    "\(run.output)")
        }
    }

    /// The fp16 forward of the ddpm-cifar10-like fixture UNet, asked for cooperative matrices on a device that has
    /// none (lavapipe), writes exactly what it writes without the variable.
    @Test(.enabled(if: !deviceHasCooperativeMatrices, "the device has cooperative matrices, whose fp16 operands change the results"))
    func withoutCooperativeMatricesTheVariableChangesNothing() throws {
        let folder = scratchURL("coopmat")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func forward(_ value: String, to name: String) throws -> HostTensor {
            let output = folder.appendingPathComponent(name)
            let run = try BELMProcess.run(["forward", "--model", Self.fixtures.appendingPathComponent("cifar10").path,
                                           "--input", Self.fixtures.appendingPathComponent("cifar10.inputs.safetensors").path,
                                           "--output", output.path, "--precision", "fp16", "--backend", "vulkan"],
                                          environment: [CooperativeMatrixSupport.environmentVariable: value])
            #expect(run.status == 0, "\(CooperativeMatrixSupport.environmentVariable)=\(value): \(run.errors)")
            return try SafetensorsFile(contentsOf: output).floatTensor("sample")
        }
        let asked = try forward("1", to: "asked.safetensors"), plain = try forward("0", to: "plain.safetensors")
        #expect(asked.shape == plain.shape)
        #expect(asked.scalars == plain.scalars)
    }

    @Test func anotherValueIsRefusedNamingTheVariable() throws {
        let run = try BELMProcess.run(["bench", "--batch-sizes", "1", "--repeats", "1"],
                                      environment: [CooperativeMatrixSupport.environmentVariable: "on"])
        #expect(run.refused, "status \(run.status), trapped \(run.trapped)")
        #expect(run.errors.contains("BELM_VULKAN_COOPMAT=on"), "\(run.errors)")
    }
}
