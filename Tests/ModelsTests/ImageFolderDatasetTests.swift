import Compute
import Foundation
import Testing
@testable import Models

@Suite struct ImageFolderDatasetTests {
    @Test func classSubfoldersBecomeClasses() throws {
        let folder = try PNGCodecTests.temporaryFolder("gmm-classes")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shapes = ShapesDataset.make(imagesPerClass: 2)
        // Written in an order unlike the sorted one, to check that reading sorts.
        for index in (0..<shapes.count).reversed() {
            let name = shapes.classNames[shapes.labels[index]]
            try PNGCodec.write(shapes.image(index), to: folder.appendingPathComponent("\(name)/\(String(format: "%04d", index)).png"))
        }
        try "not an image".write(to: folder.appendingPathComponent("labels.csv"), atomically: true, encoding: .utf8)
        let loaded = try ImageFolderDataset.load(folder)
        #expect(loaded.classNames == shapes.classNames)
        #expect(loaded.imageShape == [3, 32, 32])
        // Class by class, images in file-name order.
        let expectedOrder = (0..<10).flatMap { shapes.indices(ofClass: $0) }
        #expect(loaded.labels == expectedOrder.map { shapes.labels[$0] })
        #expect(loaded.pixels == expectedOrder.flatMap { shapes.image($0).values })
        // The spec parser reaches the same set.
        let source = try ReferenceModelSource.parse("gmm:\(folder.path)")
        guard case .imageFolder(let parsed) = source else { Issue.record("gmm: not parsed as a folder"); return }
        #expect(parsed.standardizedFileURL.path == folder.standardizedFileURL.path)
        #expect(try source?.loadImages().pixels == loaded.pixels)
    }

    @Test func aFlatFolderIsOneGreyClass() throws {
        let folder = try PNGCodecTests.temporaryFolder("gmm-flat")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = PlanarImage(channels: 1, height: 4, width: 4, values: (0..<16).map { PixelLevels.value(ofLevel: UInt8($0 * 10)) })
        let b = PlanarImage(channels: 1, height: 4, width: 4, values: (0..<16).map { PixelLevels.value(ofLevel: UInt8(200 - $0 * 10)) })
        try PNGCodec.write(b, to: folder.appendingPathComponent("b.png"))
        try PNGCodec.write(a, to: folder.appendingPathComponent("a.PNG"))
        let loaded = try ImageFolderDataset.load(folder)
        #expect(loaded.classNames == [folder.lastPathComponent])
        #expect(loaded.channels == 1 && loaded.labels == [0, 0])
        #expect(loaded.pixels == a.values + b.values)
        // A mixture on it runs on the backend like the builtin one.
        let model = GaussianMixtureModel(images: loaded, alphasCumprod: [0.9, 0.5], backend: CPUBackend())
        let noise = model.predictNoise(CPUBackend().tensor(a.values, shape: [1, 1, 4, 4]), timestep: 1, conditioning: .classes([0]))
        #expect(noise.shape == [1, 1, 4, 4])
    }

    @Test func mixedSizesAreAnErrorUnlessASizeIsAsked() throws {
        let folder = try PNGCodecTests.temporaryFolder("gmm-sizes")
        defer { try? FileManager.default.removeItem(at: folder) }
        try PNGCodec.write(PlanarImage(channels: 3, height: 8, width: 8, filledWith: 0.5), to: folder.appendingPathComponent("a.png"))
        // 12 wide, 8 high: the centre 8×8 is white, the 2-pixel side bands black.
        var wide = PlanarImage(channels: 3, height: 8, width: 12, filledWith: -1)
        for c in 0..<3 { for y in 0..<8 { for x in 2..<10 { wide[c, y, x] = 1 } } }
        try PNGCodec.write(wide, to: folder.appendingPathComponent("b.png"))
        #expect { try ImageFolderDataset.load(folder) } throws: { error in
            let text = "\(error)"
            return text.contains("b.png") && text.contains("12×8") && text.contains("a.png is 8×8")
        }
        let resized = try ImageFolderDataset.load(folder, size: 4)
        #expect(resized.imageShape == [3, 4, 4])
        // The crop removed the black bands; area averaging keeps flat regions exact.
        #expect(resized.image(1).values.allSatisfy { $0 == 1 })
        #expect(resized.image(0).values.allSatisfy { $0 == PixelLevels.value(ofLevel: 191) })
    }

    @Test func badFoldersAreClearErrors() throws {
        let folder = try PNGCodecTests.temporaryFolder("gmm-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect { try ImageFolderDataset.load(folder) } throws: { "\($0)".contains("holds no PNG images") }
        #expect { try ImageFolderDataset.load(folder.appendingPathComponent("absent")) } throws: { "\($0)".contains("is not a folder") }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("cats"), withIntermediateDirectories: true)
        #expect { try ImageFolderDataset.load(folder) } throws: { "\($0)".contains("cats") && "\($0)".contains("without PNG images") }
        try Data("garbage".utf8).write(to: folder.appendingPathComponent("cats/bad.png"))
        #expect { try ImageFolderDataset.load(folder) } throws: { "\($0)".contains("cats/bad.png") }
        // A small file claiming a huge image is refused from its header, naming the file and the limit; so is
        // a resampling size past the limit.
        try PNGCodecTests.headerOnlyPNG(width: 20000, height: 20000).write(to: folder.appendingPathComponent("cats/bad.png"))
        #expect { try ImageFolderDataset.load(folder) } throws: {
            "\($0)".contains("cats/bad.png") && "\($0)".contains("at most \(ImageSizeLimit.maximumPixels) pixels")
        }
        #expect { try ImageFolderDataset.load(folder, size: 20000) } throws: { "\($0)".contains("at most \(ImageSizeLimit.maximumPixels) pixels") }
        #expect { try ReferenceModelSource.parse("builtin:faces") } throws: { "\($0)".contains("builtin:shapes") }
        #expect { try ReferenceModelSource.parse("gmm:") } throws: { "\($0)".contains("gmm:DIR") }
        #expect(try ReferenceModelSource.parse("builtin:shapes") == .builtinShapes)
        #expect(try ReferenceModelSource.parse("/models/ddpm-cifar10") == nil)
    }
}
