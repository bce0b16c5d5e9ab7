import Experiments
import Foundation
import Testing
@testable import Site

/// The page of an experiment with `fid:` states its protocol: sample count, reference set and its hash, the
/// resize, the weights' hash, the precision and the devices.
@Suite struct FIDProtocolNoteTests {
    @Test func theNoteNamesEverythingAComparisonNeeds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-fid-protocol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("cifar10-train"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("pt_inception.safetensors"), statistics = folder.appendingPathComponent("cifar10-train.npz")
        try Data("weights".utf8).write(to: weights)
        try Data("statistics".utf8).write(to: statistics)
        for name in ["a.png", "b.png"] { try Data(name.utf8).write(to: folder.appendingPathComponent("cifar10-train/\(name)")) }
        func sha256(_ text: String) -> String { var h = SHA256(); h.update(text); return h.finalizeHex() }
        let request = ExperimentRequest(name: "sampling", kind: .sampling, model: "m", samplers: [.ddim], steps: [10], seeds: [0, 1], count: 25_000)
        let devices = ["vulkan · NVIDIA H100 · driver 550 · fp32"]

        let withStatistics = FIDProtocolNote.text(request, setting: FIDSetting(inception: weights.path, reference: statistics.path),
                                                  devices: devices, digests: FileDigests(memoFile: nil))
        for fragment in ["50000 samples per cell (25000 from each of the seeds 0, 1)", "299×299 bilinearly", "align_corners=False",
                         "weights SHA-256 \(sha256("weights"))", "the statistics file cifar10-train.npz (SHA-256 \(sha256("statistics")))",
                         "float32", "float64", "Computed on vulkan · NVIDIA H100 · driver 550 · fp32."] {
            #expect(withStatistics.contains(fragment), "\(fragment) in: \(withStatistics)")
        }
        let setting = FIDSetting(inception: weights.path, reference: folder.appendingPathComponent("cifar10-train").path)
        let withFolder = FIDProtocolNote.text(request, setting: setting, devices: devices, digests: FileDigests(memoFile: nil))
        let digest = try ModelDigest.fidReference(setting, digests: FileDigests(memoFile: nil))
        #expect(withFolder.contains("the 2 images of cifar10-train/ (digest \(digest) over their names, sizes and SHA-256s)"), "\(withFolder)")
    }
}
