import Foundation
import Models
import Tensors
import Testing
@testable import BELMCommands

/// The experiment commands end to end on a tiny gmm: folder (one image per class).
@Suite struct ExperimentCommandTests {
    static func imageFolder() throws -> URL {
        let folder = scratchURL("images")
        try ImageSetExport.write(ShapesDataset.make(imagesPerClass: 1), to: folder)
        return folder
    }

    @Test func reconstructWritesImagesAndMetrics() throws {
        let images = try Self.imageFolder(), out = scratchURL("reconstruct")
        defer { try? FileManager.default.removeItem(at: images); try? FileManager.default.removeItem(at: out) }
        var command = try BELM.parseAsRoot(["reconstruct", "--model", "gmm:\(images.path)", "--sampler", "ddim,belm", "--steps", "3",
                                            "--count", "2", "--batch-size", "1", "--quiet", "--out", out.path])
        try command.run()
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files == ["metrics.json", "originals.png", "reconstruct-belm-3.png", "reconstruct-ddim-3.png"])
        let records = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json"))) as! [[String: Any]]
        #expect(records.count == 8)
        let belm = records.first { $0["sampler"] as? String == "belm" && $0["metric"] as? String == "mse" }!
        #expect((belm["value"] as! Double) < 1e-10 && belm["count"] as? Int == 2 && belm["model"] as? String == "gmm:\(images.path)")
        #expect(Set(records.compactMap { $0["metric"] as? String }) == ["mse", "nfe", "psnr", "ssim"])
        let picture = try PNGCodec.read(out.appendingPathComponent("reconstruct-belm-3.png"))
        #expect(picture.width > 64)
    }

    /// --noise in, --save-tensors out: the same noise gives the same final states, and sampling is
    /// deterministic byte for byte.
    @Test func sampleTakesNoiseAndSavesTensors() throws {
        let images = try Self.imageFolder(), out = scratchURL("sample")
        defer { try? FileManager.default.removeItem(at: images); try? FileManager.default.removeItem(at: out) }
        let noise = HostTensor(shape: [2, 3, 32, 32], scalars: (0..<(2 * 3072)).map { Float(sin(Double($0))) })
        let noiseFile = out.appendingPathComponent("noise.safetensors")
        try SafetensorsWriter.write(floats: ["sample": noise], to: noiseFile)
        func run(_ name: String) throws -> Data {
            let saved = out.appendingPathComponent(name)
            var command = try BELM.parseAsRoot(["sample", "--model", "gmm:\(images.path)", "--sampler", "edict", "--steps", "4", "--quiet",
                                                "--noise", noiseFile.path, "--save-tensors", saved.path, "--out", out.appendingPathComponent("images").path])
            try command.run()
            return try Data(contentsOf: saved)
        }
        let first = try run("a.safetensors"), second = try run("b.safetensors")
        #expect(first == second)
        let file = try SafetensorsFile(data: first, url: out)
        #expect(try file.floatTensor("sample").shape == [2, 3, 32, 32])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("images/sample-edict-4.png").path))
    }

    @Test func interpolateAndEditRun() throws {
        let images = try Self.imageFolder(), out = scratchURL("interpolate")
        defer { try? FileManager.default.removeItem(at: images); try? FileManager.default.removeItem(at: out) }
        var interpolate = try BELM.parseAsRoot(["interpolate", "--model", "gmm:\(images.path)", "--steps", "3", "--points", "3",
                                                "--images", "0,1", "--quiet", "--out", out.appendingPathComponent("i").path])
        try interpolate.run()
        #expect(try PNGCodec.read(out.appendingPathComponent("i/interpolate-belm-3.png")).width > 3 * 64)
        var edit = try BELM.parseAsRoot(["edit", "--model", "gmm:\(images.path)", "--steps", "4", "--freeze-step", "1", "--count", "1",
                                         "--source", "0", "--target", ShapesDataset.classNames[2], "--quiet", "--out", out.appendingPathComponent("e").path])
        try edit.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("e/edit-belm-4.png").path))
    }

    /// `sample` on diffusers UNet folders (the golden-test fixtures: tiny random-weight models).
    @Test func sampleRunsADiffusersUNet() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelsTests/Fixtures/unet2d")
        let out = scratchURL("unet")
        defer { try? FileManager.default.removeItem(at: out) }
        var plain = try BELM.parseAsRoot(["sample", "--model", fixtures.appendingPathComponent("cifar10").path, "--sampler", "ddim,belm",
                                          "--steps", "3", "--count", "2", "--quiet", "--out", out.path,
                                          "--save-tensors", out.appendingPathComponent("s.safetensors").path])
        try plain.run()
        let saved = try SafetensorsFile(contentsOf: out.appendingPathComponent("s.safetensors"))
        #expect(saved.names == ["belm_3", "ddim_3"])
        #expect(try saved.floatTensor("belm_3").scalars.allSatisfy(\.isFinite))
        let metrics = try String(contentsOf: out.appendingPathComponent("metrics.json"), encoding: .utf8)
        #expect(metrics.contains("\"model\": \"\(fixtures.appendingPathComponent("cifar10").path)\""))
        var classes = try BELM.parseAsRoot(["sample", "--model", fixtures.appendingPathComponent("classcond").path, "--classes", "3,7",
                                            "--steps", "3", "--count", "2", "--quiet", "--out", out.appendingPathComponent("c").path])
        try classes.run()
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("c/sample-belm-3.png").path))
        for arguments in [["--guidance", "2", "--classes", "1,2"], []] {
            var guided = try BELM.parseAsRoot(["sample", "--model", fixtures.appendingPathComponent("classcond").path, "--steps", "3",
                                               "--count", "2", "--quiet", "--out", out.appendingPathComponent("g").path] + arguments)
            #expect(throws: (any Error).self) { try guided.run() }
        }
    }

    /// Each bad input is a clear error and nothing is written.
    @Test func badInputsWriteNothing() throws {
        let images = try Self.imageFolder(), empty = scratchURL("empty"), mixed = scratchURL("mixed")
        defer { for url in [images, empty, mixed] { try? FileManager.default.removeItem(at: url) } }
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        try PNGCodec.write(PlanarImage(channels: 3, height: 8, width: 8, filledWith: 0), to: mixed.appendingPathComponent("a.png"))
        try PNGCodec.write(PlanarImage(channels: 3, height: 16, width: 16, filledWith: 0), to: mixed.appendingPathComponent("b.png"))
        let model = "gmm:\(images.path)"
        let cases: [([String], String)] = [
            (["reconstruct", "--model", model, "--sampler", "plms"], "unknown sampler"),
            (["reconstruct", "--model", model, "--steps", "1"], "at least 2"),
            (["edit", "--model", model, "--steps", "5", "--freeze-step", "5", "--source", "0", "--target", "1"], "freeze-step"),
            (["reconstruct", "--model", model, "--sampler", "bdia", "--bdia-gamma", "0", "--steps", "3", "--count", "1"], "γ"),
            (["reconstruct", "--model", "gmm:\(empty.path)", "--steps", "3"], empty.path),
            (["reconstruct", "--model", "gmm:\(mixed.path)", "--steps", "3"], "size"),
            (["sample", "--model", model, "--noise", "/nonexistent.safetensors"], "nonexistent"),
            (["reconstruct", "--model", model, "--steps", "3", "--precision", "fp16"], "the reference model \(model) is computed exactly, in fp32"),
            (["sample", "--model", "builtin:shapes", "--steps", "3", "--precision", "fp16"], "applies to diffusers models"),
            (["sample", "--model", model, "--steps", "3", "--precision", "fp8"], "fp8"),
        ]
        expectRefusals(cases)
    }
}
