import Compute
import Foundation
import Tensors
import Testing
import VulkanCompute
@testable import FID

/// A folder's statistics and the FID between two folders against pytorch-fid's fid_score on the same PNGs
/// (Fixtures/generate_inception.py), with the seeded stand-in weights.
struct FolderStatisticsTests {
    @Test func folderStatisticsAndFIDMatchPytorchFID() throws {
        // Six forward passes at 299 × 299: on the Vulkan backend, as the CPU backend in a debug build is too slow.
        _ = try SharedVulkanInception.shared.use { network, _ in try expectFolderStatisticsAndFID(network) }
    }

    private func expectFolderStatisticsAndFID(_ network: FIDInception) throws {
        let golden = try SafetensorsFile(contentsOf: FIDFixtures.url("folders.safetensors"))
        let folders = ImageFolderStatistics(network: network, batchSize: 2)
        var statistics: [FIDStatistics] = [], features: [[Float]] = []
        for side in ["a", "b"] {
            // The moments beside the features (for KID) are the ones `moments(ofFolder:)` sums, batch by batch.
            let (moments, rows) = try folders.momentsAndFeatures(ofFolder: FIDFixtures.url("folder_\(side)"))
            features.append(rows)
            #expect(moments.count == 3 && rows.count == 3 * 2048)
            let s = try moments.statistics()
            statistics.append(s)
            let mu = try golden.floatTensor("\(side)_mu").scalars
            let muScale = mu.map(abs).max()!
            #expect(zip(s.mu, mu).allSatisfy { abs(Float($0) - $1) <= 1e-4 * muScale }, "mu of folder_\(side)")
            let block = try golden.floatTensor("\(side)_sigma_block").scalars
            let blockScale = block.map(abs).max()!
            for i in 0..<16 {
                for j in 0..<16 {
                    #expect(abs(Float(s.sigma[i * 2048 + j]) - block[i * 16 + j]) <= 1e-3 * blockScale, "sigma[\(i), \(j)] of folder_\(side)")
                }
            }
            let trace = Double(try golden.floatTensor("\(side)_sigma_trace").scalars[0])
            #expect(abs((0..<2048).reduce(0.0) { $0 + s.sigma[$1 * 2049] } - trace) <= 1e-3 * trace)
        }
        let expected = Double(try golden.floatTensor("fid").scalars[0])
        let distance = try FrechetDistance.between(statistics[0], statistics[1])
        #expect(abs(distance - expected) <= 1e-3 * expected, "belm \(distance), pytorch-fid \(expected)")

        // KID of belm's features against numpy's KID of pytorch-fid's (Fixtures/generate_kid.py).
        let kidGolden = try #require(try FIDFixtures.json("kid.json")["folders"] as? [String: Any])
        let kid = try KernelInceptionDistance.between(features[0], features[1], width: 2048, subsets: kidGolden["subsets"] as! Int,
                                                      subsetSize: kidGolden["subset_size"] as! Int)
        let kidExpected = kidGolden["mean"] as! Double
        #expect(kid.subsetSize == 3)
        #expect(abs(kid.mean - kidExpected) <= 1e-3 * abs(kidExpected), "belm KID \(kid.mean), numpy on pytorch-fid's features \(kidExpected)")
    }

    @Test func refusesFoldersWithFewerThanTwoImages() throws {
        let folder = try FIDFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: FIDFixtures.url("folder_a/0.png"), to: folder.appendingPathComponent("only.png"))
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        #expect(throwsMessage(containing: [folder.path, "holds 1 PNG or JPEG image;", "at least 2"]) {
            _ = try ImageFolderStatistics.checkedImageFiles(in: folder)
        })
    }
}
