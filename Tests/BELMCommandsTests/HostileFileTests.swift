import BELMTestSupport
import Foundation
import Testing
import Tensors

/// Files made to break a loader — a tensor shape whose size overflows, a model config that divides by zero or
/// asks for terabytes, YAML nested past the parser's stack — given to the real executable. Each must end in
/// a refusal (exit status 1…125, the file and the field named, nothing written), never in a trap, a signal
/// or an out-of-memory kill, which is why these run `belm` in a child process rather than in the test's own.
@Suite struct HostileFileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    static let shapesUNet = repository.appendingPathComponent("Sources/Models/Resources/shapes-unet")

    /// Expects a refusal whose message holds every one of `texts`, and no `--out` folder.
    func expectRefusal(_ arguments: [String], out: URL? = nil, mentions texts: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let outcome = try BELMProcess.run(arguments)
        #expect(outcome.refused,
                "\(arguments.joined(separator: " ")) ended with \(outcome.trapped ? "signal" : "status") \(outcome.status): \(outcome.errors.prefix(600))",
                sourceLocation: sourceLocation)
        for text in texts {
            #expect(outcome.errors.contains(text), "\(arguments.joined(separator: " ")): \(outcome.errors.prefix(600))", sourceLocation: sourceLocation)
        }
        if let out {
            #expect(!FileManager.default.fileExists(atPath: out.path), "\(out.path) was written", sourceLocation: sourceLocation)
        }
    }

    /// A safetensors file holding `sample` with the given JSON shape and 16 bytes of data.
    func tensorFile(shape: String, at url: URL) throws {
        let header = Data(#"{"sample":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,16]}}"#.utf8)
        var data = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        try (data + header + Data(count: 16)).write(to: url)
    }

    /// The shipped shapes UNet copied to `folder`, with `edit` applied to its unet/config.json.
    func shapesUNet(at folder: URL, edit: (inout [String: Any]) -> Void) throws {
        try FileManager.default.copyItem(at: Self.shapesUNet, to: folder)
        let config = folder.appendingPathComponent("unet/config.json")
        var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        edit(&fields)
        try JSONSerialization.data(withJSONObject: fields).write(to: config)
    }

    @Test func tensorShapesThatOverflowOrAreFractionalAreRefused() throws {
        let scratch = scratchURL("hostile-tensors")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let overflowing = scratch.appendingPathComponent("overflow.safetensors")
        try tensorFile(shape: "[\(1 << 40),\(1 << 40),\(1 << 40),3]", at: overflowing)
        let fractional = scratch.appendingPathComponent("fractional.safetensors")
        try tensorFile(shape: "[1.5,1,2,2]", at: fractional)
        for input in [overflowing, fractional] {
            let output = scratch.appendingPathComponent("out.safetensors")
            try expectRefusal(["forward", "--model", Self.shapesUNet.path, "--input", input.path, "--output", output.path, "--backend", "cpu"],
                              out: output, mentions: [input.path, "'sample'", "shape"])
            let out = scratch.appendingPathComponent("samples")
            try expectRefusal(["sample", "--model", "builtin:shapes", "--noise", input.path, "--count", "1", "--steps", "2", "--quiet", "--out", out.path],
                              out: out, mentions: [input.path, "'sample'", "shape"])
        }
        // The same parser reads model weights.
        let model = scratch.appendingPathComponent("model")
        try FileManager.default.copyItem(at: Self.shapesUNet, to: model)
        let weights = model.appendingPathComponent("unet/diffusion_pytorch_model.safetensors")
        try FileManager.default.removeItem(at: weights)
        try tensorFile(shape: "[\(1 << 40),\(1 << 40),\(1 << 40),3]", at: weights)
        let out = scratch.appendingPathComponent("samples")
        try expectRefusal(["sample", "--model", model.path, "--count", "1", "--steps", "2", "--backend", "cpu", "--quiet", "--out", out.path],
                          out: out, mentions: [weights.path, "shape"])
    }

    /// sample_size 320000 once aborted on a 1.2 TB allocation; norm_num_groups 0 divided by zero.
    @Test func modelConfigsThatAllocateTerabytesOrDivideByZeroAreRefused() throws {
        let scratch = scratchURL("hostile-configs")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cases: [(key: String, value: Any, says: String)] = [
            ("sample_size", 320_000, "between 1 and 4096"),
            ("norm_num_groups", 0, "between 1 and 16384"),
            ("norm_eps", 0, "greater than 0"),
        ]
        for (index, (key, value, says)) in cases.enumerated() {
            let model = scratch.appendingPathComponent("model-\(index)")
            try shapesUNet(at: model) { $0[key] = value }
            let out = scratch.appendingPathComponent("samples")
            try expectRefusal(["sample", "--model", model.path, "--count", "1", "--steps", "2", "--backend", "cpu", "--quiet", "--out", out.path],
                              out: out, mentions: [model.appendingPathComponent("unet/config.json").path, "\"\(key)\"", says])
        }
        // The scheduler's training steps size the schedule: 10^12 of them aborted on an 8 TB allocation.
        let model = scratch.appendingPathComponent("model-scheduler")
        try shapesUNet(at: model) { _ in }
        let scheduler = model.appendingPathComponent("scheduler/scheduler_config.json")
        var fields = try JSONSerialization.jsonObject(with: Data(contentsOf: scheduler)) as! [String: Any]
        fields["num_train_timesteps"] = 1_000_000_000_000
        try JSONSerialization.data(withJSONObject: fields).write(to: scheduler)
        let out = scratch.appendingPathComponent("samples")
        try expectRefusal(["sample", "--model", model.path, "--count", "1", "--steps", "2", "--backend", "cpu", "--quiet", "--out", out.path],
                          out: out, mentions: [scheduler.path, "\"num_train_timesteps\"", "between 2 and 1000000"])
    }

    /// A JPEG cut short was inverted with its lower half grey; a 686-byte JPEG claiming 20000×20000 pixels
    /// took 5.9 GB and minutes to decode. Both are refused, naming the file.
    @Test func imagesThatAreCutShortOrClaimHugeSizesAreRefused() throws {
        let scratch = scratchURL("hostile-images")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let whole = try Data(contentsOf: Self.repository.appendingPathComponent("Tests/ModelsTests/Fixtures/jpeg/rgb.jpg"))
        let truncated = scratch.appendingPathComponent("truncated.jpg")
        try whole.prefix(whole.count - 20).write(to: truncated)
        var claimed = whole
        let frame = try #require(whole.firstRange(of: Data([0xFF, 0xC0]))).lowerBound  // SOF0: height, width at +5
        claimed.replaceSubrange((frame + 5)..<(frame + 9), with: [0x4E, 0x20, 0x4E, 0x20])
        let huge = scratch.appendingPathComponent("huge.jpg")
        try claimed.write(to: huge)
        for (image, says) in [(truncated, "Premature end of JPEG file"), (huge, "at most 67108864 pixels")] {
            let out = scratch.appendingPathComponent("reconstructions")
            try expectRefusal(["reconstruct", "--model", "builtin:shapes", "--image", image.path, "--steps", "2", "--quiet", "--out", out.path],
                              out: out, mentions: [image.path, says])
        }
    }

    /// YAML nested 5000 deep overflowed the stack inside the YAML parser.
    @Test func deeplyNestedYAMLIsRefused() throws {
        let scratch = scratchURL("hostile-yaml")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // One space of indentation a level keeps the file (12 MB) under the size limit, so the depth is what is refused.
        let block = (1...5000).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n")
        let flow = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        for (name, text) in [("block", "title: x\ndeep:\n" + block + "\n"), ("flow", "title: x\ndeep: " + flow + "\n")] {
            let config = scratch.appendingPathComponent("\(name).yml")
            try text.write(to: config, atomically: true, encoding: .utf8)
            let out = scratch.appendingPathComponent("site")
            try expectRefusal(["build", "--config", config.path, "--out", out.path, "--cache", scratch.appendingPathComponent("cache").path, "--backend", "cpu", "--quiet"],
                              out: out, mentions: [config.path, "nested more than 64 levels"])
        }
    }
}
