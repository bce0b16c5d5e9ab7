import Experiments
import Foundation
import Models
import Testing
@testable import Site

/// What a result's cache key must see: every byte of the model and of the images an experiment inverts.
@Suite struct CacheKeyTests {
    /// A one-experiment site that inverts the images of its own `images:` folder.
    static func imagesFixture() throws -> SiteBuildTests.Fixture {
        let fixture = try SiteBuildTests.Fixture()
        let config = """
            title: "Images"
            templates: \(SiteBuildTests.repository.appendingPathComponent("Templates").path)
            models:
              tiny: "gmm:tiny-set"
            experiments:
              - name: reconstruction
                kind: reconstruction
                samplers: [ddim, belm]
                steps: [2]
                count: 3
                images: photos
            """
        try config.write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        let photos = fixture.root.appendingPathComponent("site/photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        for index in 0..<2 { try writeImage(shade: Float(index) * 0.5 - 0.4, to: photos.appendingPathComponent("\(index).png")) }
        return fixture
    }

    static func writeImage(shade: Float, to url: URL) throws {
        var image = PlanarImage(channels: 3, height: 12, width: 12, filledWith: shade)
        for y in 3..<9 { for x in 3..<9 { image[0, y, x] = 0.9 } }
        try PNGCodec.write(image, to: url)
    }

    @Test func changingAddingOrDeletingAnImageRerunsTheExperiment() throws {
        let fixture = try Self.imagesFixture()
        defer { fixture.remove() }
        let photos = fixture.root.appendingPathComponent("site/photos")
        let runner = CountingRunner()
        #expect(try fixture.builder(runner: runner).build().ran == ["reconstruction"])
        #expect(try fixture.builder(runner: runner).build().cached == ["reconstruction"])

        try Self.writeImage(shade: 0.2, to: photos.appendingPathComponent("1.png"))
        #expect(try fixture.builder(runner: runner).build().ran == ["reconstruction"], "a changed image")
        try Self.writeImage(shade: -0.9, to: photos.appendingPathComponent("2.png"))
        #expect(try fixture.builder(runner: runner).build().ran == ["reconstruction"], "an added image")
        let threeImages = try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8)
        try FileManager.default.removeItem(at: photos.appendingPathComponent("0.png"))
        #expect(try fixture.builder(runner: runner).build().ran == ["reconstruction"], "a deleted image")
        // The published counts follow the images that exist now.
        let twoImages = try String(contentsOf: fixture.output.appendingPathComponent("metrics.csv"), encoding: .utf8)
        #expect(threeImages.contains(",mse,") && threeImages.contains(",3\n") && !twoImages.contains(",3\n"), "\(twoImages)")
        // A file the experiment does not read changes nothing.
        try Data("notes".utf8).write(to: photos.appendingPathComponent("README.txt"))
        #expect(try fixture.builder(runner: runner).build().cached == ["reconstruction"])
        #expect(runner.runs.all.count == 4)
    }

    @Test func anImagesFolderThatIsMissingIsNamedBeforeAnyRun() throws {
        let fixture = try Self.imagesFixture()
        defer { fixture.remove() }
        try FileManager.default.removeItem(at: fixture.root.appendingPathComponent("site/photos"))
        let runner = CountingRunner()
        #expect { try fixture.builder(runner: runner).build() } throws: { error in
            let e = error as? ConfigError
            return e?.line == 6 && e?.message.contains("key 'images' names") == true && e?.message.contains("photos") == true
                && e?.message.contains("--image") == false
        }
        #expect(runner.runs.all.isEmpty)
    }

    /// A checkpoint of a few MiB with one byte changed in its middle, size and modification time kept.
    @Test func aModelChangedInTheMiddleHasAnotherDigest() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("unet"), withIntermediateDirectories: true)
        let weights = folder.appendingPathComponent("unet/diffusion_pytorch_model.safetensors")
        var bytes = [UInt8](repeating: 0, count: 5 << 20)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        try Data(bytes).write(to: weights)
        let anHourAgo = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: anHourAgo], ofItemAtPath: weights.path)
        let before = try ModelDigest.folder(folder.path, digests: FileDigests())

        bytes[bytes.count / 2] ^= 0xff
        let handle = try FileHandle(forWritingTo: weights)
        try handle.seek(toOffset: UInt64(bytes.count / 2))
        try handle.write(contentsOf: [bytes[bytes.count / 2]])
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: anHourAgo], ofItemAtPath: weights.path)
        #expect(try ModelDigest.folder(folder.path, digests: FileDigests()) != before)
        // Hidden files are download tools' bookkeeping, not the model.
        let after = try ModelDigest.folder(folder.path, digests: FileDigests())
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".cache"), withIntermediateDirectories: true)
        try Data("etag".utf8).write(to: folder.appendingPathComponent(".cache/unet.metadata"))
        #expect(try ModelDigest.folder(folder.path, digests: FileDigests()) == after)
    }

    /// The memo answers for an unchanged file without reading it, and is not fooled by a rewrite that keeps
    /// the size and puts the modification time back.
    @Test func fileDigestsAreRememberedUntilTheFileChanges() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("belm-memo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("weights.bin"), memo = folder.appendingPathComponent("memo/file-digests.json")
        try Data("abc".utf8).write(to: file)
        let anHourAgo = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: anHourAgo], ofItemAtPath: file.path)
        let digests = FileDigests(memoFile: memo)
        #expect(try digests.sha256(of: file) == SHA256.hex("abc"))
        try digests.save()

        // A stand-in digest in the memo is what comes back: the file was not read again.
        let stored = try String(contentsOf: memo, encoding: .utf8)
        #expect(stored.contains(file.path))
        try stored.replacingOccurrences(of: SHA256.hex("abc"), with: String(repeating: "0", count: 64)).write(to: memo, atomically: true, encoding: .utf8)
        #expect(try FileDigests(memoFile: memo).sha256(of: file) == String(repeating: "0", count: 64))

        try Data("abd".utf8).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: anHourAgo], ofItemAtPath: file.path)
        #expect(try FileDigests(memoFile: memo).sha256(of: file) == SHA256.hex("abd"))
        // A file written moments ago is hashed but not remembered: within the clock's resolution it could
        // change again without changing its stamp.
        let fresh = folder.appendingPathComponent("fresh.bin")
        try Data("new".utf8).write(to: fresh)
        let another = FileDigests(memoFile: memo)
        _ = try another.sha256(of: fresh)
        try another.save()
        #expect(try !String(contentsOf: memo, encoding: .utf8).contains(fresh.path))
    }

    /// A build keeps the memo in its cache folder.
    @Test func aBuildRemembersModelFileDigestsInItsCache() throws {
        let fixture = try SiteBuildTests.Fixture()
        defer { fixture.remove() }
        let tinySet = fixture.root.appendingPathComponent("site/tiny-set")
        for path in SiteChecks.files(under: tinySet) {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: tinySet.appendingPathComponent(path).path)
        }
        try fixture.builder(runner: CountingRunner()).build()
        let memo = try String(contentsOf: fixture.cache.appendingPathComponent("file-digests.json"), encoding: .utf8)
        #expect(memo.contains("tiny-set/disc/0.png") && memo.contains("tiny-set/square/1.png"))
    }
}
