import FID
import Foundation
import Testing

/// The FID site tests' shared reference file reads back as mu 0, sigma the identity, at the width asked for.
struct StandardNormalReferenceTests {
    @Test func readsBackAsAStandardNormal() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("belm-reference-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: file) }
        try StandardNormalReference.write(to: file, width: 5)
        let read = try FIDStatistics(contentsOf: file)
        #expect(read.mu == [0, 0, 0, 0, 0])
        #expect(read.sigma == (0..<5).flatMap { i in (0..<5).map { j in i == j ? 1.0 : 0 } })
    }
}
