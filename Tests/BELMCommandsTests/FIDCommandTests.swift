import BELMTestSupport
import Compute
import FID
import Foundation
import Models
import Tensors
import Testing
import VulkanCompute

/// `belm fid` and `belm fid-stats` run as a user runs them: the printed distance, the JSON, the file written,
/// and the refusals (exit status 1…125 with a message naming the file and the fix).
struct FIDCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../FIDTests/Fixtures").standardizedFileURL
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    @Test func distanceBetweenStatisticsFiles() throws {
        let expected = (try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("frechet.json"))) as! [String: Any])["full_rank"] as! Double
        let plain = try BELMProcess.run(["fid", Self.fixture("stats_a.npz"), Self.fixture("stats_b.npz")])
        #expect(plain.status == 0, "\(plain.errors)")
        let printed = try #require(Double(plain.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(printed - expected) / expected < 1e-6)

        let json = try BELMProcess.run(["fid", Self.fixture("stats_a.npz"), Self.fixture("stats_b.npz"), "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        // Foundation's JSON parser may miss a double's last bits.
        #expect(abs((object["fid"] as! Double) - printed) <= 1e-12 * printed)
        #expect((object["a"] as! [String: Any])["kind"] as? String == "statistics")
        #expect(object["inception"] == nil, "statistics against statistics reads no weights")
    }

    @Test func refusals() throws {
        let folder = scratchURL("fid-refusals")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let notZip = folder.appendingPathComponent("not-zip.npz")
        try Data("plain text".utf8).write(to: notZip)
        let lonely = folder.appendingPathComponent("lonely")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture("folder_a/0.png"), toPath: lonely.appendingPathComponent("0.png").path)
        let misshaped = folder.appendingPathComponent("misshaped.safetensors")
        try SafetensorsWriter.write(floats: ["Conv2d_1a_3x3.conv.weight": HostTensor(shape: [32, 3, 3, 4], scalars: [Float](repeating: 0, count: 1152))], to: misshaped)
        let unrelated = folder.appendingPathComponent("unrelated.safetensors")
        try SafetensorsWriter.write(floats: ["conv_in.weight": HostTensor(shape: [1], scalars: [0])], to: unrelated)

        let a = Self.fixture("stats_a.npz"), images = Self.fixture("folder_a")
        let cases: [([String], [String])] = [
            (["fid", a, images], ["folder_a is a folder of images", "--inception", "safetensors.torch"]),
            (["fid", a, folder.appendingPathComponent("missing.npz").path], ["missing.npz: no such file or folder"]),
            (["fid", a, notZip.path], ["not-zip.npz", "is not a zip file"]),
            (["fid", a, Self.fixture("fortran_f32.npz")], ["fortran_f32.npz", "'mu' and 'sigma'", "found: array"]),
            (["fid", a, Self.fixture("features.npz")], ["has 64 features but", "has 8"]),
            (["fid", a, images, "--inception", folder.appendingPathComponent("none.safetensors").path], ["none.safetensors: no such Inception weights file", "pt_inception-2015-12-05-6726825d.pth"]),
            (["fid", a, images, "--inception", misshaped.path, "--backend", "cpu"], ["misshaped.safetensors", "'Conv2d_1a_3x3.conv.weight' is F32 [32, 3, 3, 4]", "needs a floating-point [32, 3, 3, 3]"]),
            (["fid", a, images, "--inception", unrelated.path, "--backend", "cpu"], ["unrelated.safetensors", "has no tensor 'Conv2d_1a_3x3.conv.weight'", "safetensors.torch"]),
            (["fid-stats", "--inception", misshaped.path, "--images", lonely.path, "--out", folder.appendingPathComponent("s.npz").path], ["lonely: holds 1 PNG or JPEG image", "at least 2"]),
            (["fid", a, a, "--batch-size", "0"], ["--batch-size must be at least 1"]),
            (["fid", a, images, "--precision", "fp16"], ["--precision fp16", "Inception network", "computes in fp32"]),
            (["fid-stats", "--inception", misshaped.path, "--images", lonely.path, "--precision", "fp16", "--out", folder.appendingPathComponent("s.npz").path], ["--precision fp16", "computes in fp32"]),
            (["fid", "--kid", images, a, "--inception", misshaped.path], ["stats_a.npz is a statistics file: KID needs the Inception features of every image",
                                                                          "pass the folder of images instead"]),
            (["fid", "--kid", a, a, "--kid-subsets", "0"], ["--kid-subsets must be at least 1"]),
            (["fid", "--kid", a, a, "--kid-subset-size", "1"], ["--kid-subset-size must be at least 2"]),
        ]
        for (arguments, fragments) in cases {
            let run = try BELMProcess.run(arguments)
            #expect(run.refused, "\(arguments): status \(run.status)")
            for fragment in fragments { #expect(run.errors.contains(fragment), "\(arguments): \(run.errors)") }
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("s.npz").path))
    }

    /// `belm fid-stats` with the seeded weights file on folder_b: the .npz it writes holds pytorch-fid's statistics of
    /// the same images (Fixtures/folders.safetensors, as FolderStatisticsTests checks in process), read back by the
    /// reader `belm fid` uses for statistics files.
    @Test func statisticsOfAFolder() throws {
        // Three forward passes at 299 × 299 in the debug executable: on Vulkan only (the CPU backend takes minutes).
        guard (try? VulkanBackend()) != nil else { return }
        let folder = scratchURL("fid-stats")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("seeded-inception.safetensors")
        try SeededInceptionWeights.write(to: weights)
        let out = folder.appendingPathComponent("stats.npz")
        let run = try BELMProcess.run(["fid-stats", "--inception", weights.path, "--images", Self.fixture("folder_b"), "--out", out.path,
                                       "--backend", "vulkan"], timeout: 600)
        #expect(run.status == 0, "\(run.errors)")
        let digest = try sha256(of: weights)
        #expect(run.errors.contains("statistics of 3 images") && run.errors.contains(digest))
        let statistics = try FIDStatistics(contentsOf: out)
        #expect(statistics.dimension == 2048)
        let golden = try SafetensorsFile(contentsOf: Self.fixtures.appendingPathComponent("folders.safetensors"))
        let mu = try golden.floatTensor("b_mu").scalars, muScale = mu.map(abs).max()!
        #expect(zip(statistics.mu, mu).allSatisfy { abs(Float($0) - $1) <= 1e-4 * muScale }, "mu against pytorch-fid")
        let trace = Double(try golden.floatTensor("b_sigma_trace").scalars[0])
        #expect(abs((0..<2048).reduce(0.0) { $0 + statistics.sigma[$1 * 2049] } - trace) <= 1e-3 * trace, "trace of sigma against pytorch-fid")
    }

    private func sha256(of url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }
}

