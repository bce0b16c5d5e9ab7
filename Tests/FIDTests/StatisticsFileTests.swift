import Foundation
import Testing
import Tensors
@testable import FID

/// .npz files as numpy writes them (stored and deflated), and belm's own, read back by both.
struct StatisticsFileTests {
    @Test func readsStoredAndDeflatedNumpyFiles() throws {
        let stored = try FIDStatistics(contentsOf: FIDFixtures.url("stats_a.npz"))
        let deflated = try FIDStatistics(contentsOf: FIDFixtures.url("stats_b.npz"))
        #expect(stored.dimension == 64 && deflated.dimension == 64)
        // A covariance is symmetric with a positive diagonal: the values landed where they belong.
        for s in [stored, deflated] {
            #expect(s.sigma[1 * 64 + 5] == s.sigma[5 * 64 + 1])
            #expect((0..<64).allSatisfy { s.sigma[$0 * 65] > 0 })
        }
    }

    @Test func readsFortranOrderFloat32() throws {
        let arrays = try NPZFile.read(FIDFixtures.url("fortran_f32.npz"))
        #expect(arrays["array"] == NumpyArray(shape: [3, 4], values: (0..<12).map(Double.init)))
    }

    @Test func writesWhatItReads() throws {
        let folder = try FIDFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try FIDStatistics(contentsOf: FIDFixtures.url("stats_b.npz"))
        let copy = folder.appendingPathComponent("copy.npz")
        try original.write(to: copy)
        #expect(try FIDStatistics(contentsOf: copy) == original)
    }

    @Test func numpyReadsWhatBelmWrites() throws {
        let folder = try FIDFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("s.npz")
        try FIDStatistics(mu: [1, 2], sigma: [3, 4, 5, 6]).write(to: url)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy as n, sys; f = n.load(sys.argv[1]); print(f['mu'].tolist(), f['sigma'].tolist(), f['sigma'].dtype)", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else { return }  // no numpy on this machine: the round trip above still holds
        #expect(output == "[1.0, 2.0] [[3.0, 4.0], [5.0, 6.0]] float64\n")
    }

    @Test func refusesFilesWithoutStatistics() throws {
        let folder = try FIDFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let notZip = folder.appendingPathComponent("not-zip.npz")
        try Data("hello".utf8).write(to: notZip)
        #expect(throwsMessage(containing: ["not-zip.npz", "is not a zip file"]) { _ = try FIDStatistics(contentsOf: notZip) })

        #expect(throwsMessage(containing: ["fortran_f32.npz", "'mu' and 'sigma'", "found: array"]) {
            _ = try FIDStatistics(contentsOf: FIDFixtures.url("fortran_f32.npz"))
        })

        let mismatched = folder.appendingPathComponent("mismatched.npz")
        try NPZFile.write(["mu": NumpyArray(shape: [3], values: [0, 0, 0]), "sigma": NumpyArray(shape: [2, 2], values: [1, 0, 0, 1])], to: mismatched)
        #expect(throwsMessage(containing: ["mismatched.npz", "'sigma' has shape [2, 2]", "[3, 3]"]) { _ = try FIDStatistics(contentsOf: mismatched) })

        // A truncated copy of a good file: the CRC or the zip records catch it.
        let truncated = folder.appendingPathComponent("truncated.npz")
        let good = try Data(contentsOf: FIDFixtures.url("stats_a.npz"))
        var damaged = good
        damaged[damaged.count / 2] ^= 0xFF
        try damaged.write(to: truncated)
        #expect(throwsMessage(containing: ["truncated.npz", "CRC-32"]) { _ = try FIDStatistics(contentsOf: truncated) })
    }
}

/// Whether `body` throws an error whose text holds every one of `fragments`.
func throwsMessage(containing fragments: [String], _ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch {
        let text = "\(error)"
        return fragments.allSatisfy { text.contains($0) }
    }
}
