import Foundation
import Testing
import Tensors
@testable import Models

/// The parameter count planned from a config alone equals what the checkpoints hold, so weight memory can be
/// estimated (and refused) before any weight exists.
@Suite struct UNetParameterCountTests {
    static func tensorElements(_ folder: String) throws -> Int {
        let url = try DiffusersFolder.weightsFile(in: DiffusersFolder(FixtureFiles.url(folder)).componentFolder("unet"))
        let file = try SafetensorsFile(contentsOf: url)
        return file.entries.values.map { $0.shape.reduce(1, *) }.reduce(0, +)
    }

    @Test(arguments: ["sd/sd15", "sd/sd2unet", "sdxl/pipeline"])
    func conditionalFixturesHoldThePlannedCount(_ folder: String) throws {
        let component = try DiffusersFolder(FixtureFiles.url(folder)).componentFolder("unet")
        let config = try UNet2DConditionConfiguration(DiffusersConfig(contentsOf: component.appendingPathComponent("config.json")))
        #expect(config.parameterCount == (try Self.tensorElements(folder)))
    }

    @Test(arguments: ["unet2d/cifar10", "unet2d/celebahq", "unet2d/classcond"])
    func pixelFixturesHoldThePlannedCount(_ folder: String) throws {
        let component = try DiffusersFolder(FixtureFiles.url(folder)).componentFolder("unet")
        let config = try UNet2DConfiguration(DiffusersConfig(contentsOf: component.appendingPathComponent("config.json")))
        #expect(config.parameterCount == (try Self.tensorElements(folder)))
    }

    /// The released checkpoints' counts (diffusers' `num_parameters()`).
    @Test func releasedModels() {
        #expect(UNet2DConditionConfiguration.stableDiffusion15().parameterCount == 859_520_964)
        #expect(UNet2DConditionConfiguration.stableDiffusionXL().parameterCount == 2_567_463_684)
        #expect(UNet2DConfiguration.ddpmCIFAR10().parameterCount == 35_746_307)
    }
}
