import Foundation
import Models
import Tensors
import Testing
@testable import BELMCommands

/// The experiment commands on diffusers folders built from the model fixtures: a class-conditional
/// UNet2DModel and a tiny Stable Diffusion 1.5 pipeline, with PNG and JPEG inputs.
@Suite struct DiffusersCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ModelsTests/Fixtures")

    static func stableDiffusionFolder(in root: URL) throws -> URL {
        let folder = root.appendingPathComponent("sd15")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15"), to: folder)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("clip/tokenizer"), to: folder.appendingPathComponent("tokenizer"))
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("sd/sd15-text_encoder"), to: folder.appendingPathComponent("text_encoder"))
        return folder
    }

    static func records(_ out: URL) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [[String: Any]]
    }

    @Test func classConditionalUNetFromTheCommandLine() throws {
        let root = scratchURL("unet"), out = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let image = root.appendingPathComponent("a.png")
        try PNGCodec.write(PlanarImage(channels: 3, height: 24, width: 30, values: (0..<(3 * 24 * 30)).map { Float(sin(Double($0))) }), to: image)
        let model = Self.fixtures.appendingPathComponent("unet2d/classcond").path
        var command = try BELM.parseAsRoot(["reconstruct", "--model", model, "--null-class", "9", "--class", "3", "--image", image.path,
                                            "--sampler", "belm", "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        let mse = try Self.records(out).first { $0["metric"] as? String == "mse" }!["value"] as! Double
        #expect(mse < 1e-8)
        command = try BELM.parseAsRoot(["sample", "--model", model, "--null-class", "9", "--classes", "1,2", "--guidance", "2", "--count", "2",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("sample-belm-3.png").path))
    }

    /// `belm edit` on Stable Diffusion with prompts and a JPEG, and `belm reconstruct` with --prompt.
    @Test func stableDiffusionFromTheCommandLine() throws {
        let root = scratchURL("sd"), out = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try Self.stableDiffusionFolder(in: root).path
        let jpeg = Self.fixtures.appendingPathComponent("jpeg/rgb.jpg").path
        var command = try BELM.parseAsRoot(["edit", "--model", model, "--image", jpeg, "--source-prompt", "A dog", "--target-prompt", "A Dalmatian",
                                            "--negative-prompt", "blurry", "--steps", "4", "--freeze-step", "1", "--guidance", "2",
                                            "--sampler", "belm", "--quiet", "--out", out.path])
        try command.run()
        // Source above edit, each 128×128, enlarged 2×.
        #expect(try PNGCodec.read(out.appendingPathComponent("edit-belm-4.png")).height >= 2 * 2 * 128)
        command = try BELM.parseAsRoot(["reconstruct", "--model", model, "--image", jpeg, "--prompt", "a red circle", "--sampler", "belm",
                                        "--steps", "3", "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        let metrics = try Self.records(out)
        #expect(Set(metrics.compactMap { $0["metric"] as? String }) == ["mse", "mse_pixel", "nfe", "psnr", "ssim"])
        #expect((metrics.first { $0["metric"] as? String == "mse" }!["value"] as! Double) < 1e-8)
    }

    /// Interpolation between two inverted images on an unconditional UNet: the strip's ends give the images back.
    @Test func interpolateBetweenGivenImages() throws {
        let root = scratchURL("interp"), out = root.appendingPathComponent("out")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let a = root.appendingPathComponent("a.png"), b = root.appendingPathComponent("b.png")
        try PNGCodec.write(PlanarImage(channels: 1, height: 16, width: 16, values: (0..<256).map { Float($0 % 16) / 8 - 1 }), to: a)
        try PNGCodec.write(PlanarImage(channels: 3, height: 40, width: 20, values: (0..<2400).map { Float(cos(Double($0))) }), to: b)
        var command = try BELM.parseAsRoot(["interpolate", "--model", Self.fixtures.appendingPathComponent("unet2d/cifar10").path,
                                            "--image", a.path, b.path, "--points", "3", "--sampler", "belm", "--steps", "3",
                                            "--backend", "cpu", "--quiet", "--out", out.path])
        try command.run()
        let mse = try Self.records(out).first { $0["metric"] as? String == "mse" }!["value"] as! Double
        #expect(mse < 1e-8)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("interpolate-belm-3.png").path))
    }

    @Test func badDiffusersInputsWriteNothing() throws {
        let root = scratchURL("sdbad")
        defer { try? FileManager.default.removeItem(at: root) }
        let model = try Self.stableDiffusionFolder(in: root).path
        let text = root.appendingPathComponent("notes.png")
        try Data("not an image".utf8).write(to: text)
        let unet = Self.fixtures.appendingPathComponent("unet2d/classcond").path
        let cases: [([String], String)] = [
            (["reconstruct", "--model", model, "--image", text.path], "notes.png"),
            (["reconstruct", "--model", model], "--image"),
            (["reconstruct", "--model", model, "--image", root.appendingPathComponent("missing.jpg").path], "missing.jpg"),
            (["edit", "--model", model, "--image", text.path, "--source", "0", "--target", "1", "--freeze-step", "1"], "prompts"),
            (["sample", "--model", unet, "--classes", "1", "--guidance", "2"], "belm.json"),
            (["sample", "--model", root.appendingPathComponent("nowhere").path], "nowhere"),
            (["convergence", "--model", unet], "reference model"),
        ]
        expectRefusals(cases, common: ["--steps", "3", "--backend", "cpu"])
    }
}
