import Foundation
import Models
import Tensors
import Testing
@testable import BELMCommands

/// The experiment commands on the tiny Stable Diffusion XL folder (Tests/ModelsTests/Fixtures/sdxl/pipeline), as
/// on Stable Diffusion 1.5: the same options, the same outputs.
@Suite struct SDXLCommandTests {
    static let model = DiffusersCommandTests.fixtures.appendingPathComponent("sdxl/pipeline").path

    @Test func sampleReconstructInterpolateAndEdit() throws {
        let root = scratchURL("sdxl"), out = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        let jpeg = DiffusersCommandTests.fixtures.appendingPathComponent("jpeg/rgb.jpg").path
        var command = try BELM.parseAsRoot(["sample", "--model", Self.model, "--prompt", "a red circle", "--negative-prompt", "blurry",
                                            "--guidance", "3", "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("sample-belm-3.png").path))
        command = try BELM.parseAsRoot(["reconstruct", "--model", Self.model, "--image", jpeg, "--prompt", "a red circle", "--sampler", "belm",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        let metrics = try DiffusersCommandTests.records(out)
        #expect((metrics.first { $0["metric"] as? String == "mse" }!["value"] as! Double) < 1e-8)
        command = try BELM.parseAsRoot(["interpolate", "--model", Self.model, "--image", jpeg, jpeg, "--points", "3", "--sampler", "belm",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("interpolate-belm-3.png").path))
        command = try BELM.parseAsRoot(["edit", "--model", Self.model, "--image", jpeg, "--source-prompt", "A dog", "--target-prompt", "A Dalmatian",
                                        "--steps", "4", "--freeze-step", "1", "--guidance", "2", "--sampler", "belm", "--backend", "cpu",
                                        "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("edit-belm-4.png").path))
    }
}
