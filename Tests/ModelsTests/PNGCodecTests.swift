import Foundation
import Testing
@testable import Models
import Tensors

@Suite struct PNGCodecTests {
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("belm-models-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func rgbAndGreyRoundTripExactly() throws {
        let folder = try Self.temporaryFolder("png")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = ShapesDataset.make(imagesPerClass: 1).image(4)
        let url = folder.appendingPathComponent("dots.png")
        try PNGCodec.write(image, to: url)
        #expect(try PNGCodec.read(url) == image)
        // Same pixels, same bytes.
        #expect(try PNGCodec.encode(image) == Data(contentsOf: url))

        let grey = PlanarImage(channels: 1, height: 3, width: 5, values: (0..<15).map { PixelLevels.value(ofLevel: UInt8($0 * 17)) })
        let greyURL = folder.appendingPathComponent("grey.png")
        try PNGCodec.write(grey, to: greyURL)
        #expect(try PNGCodec.read(greyURL) == grey)
        // No temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["dots.png", "grey.png"])
    }

    @Test func valuesAreRoundedAndClampedToLevels() throws {
        let image = PlanarImage(channels: 1, height: 1, width: 5, values: [-3, -1, 0, 1, 2])
        let decoded = try PNGCodec.decode(PNGCodec.encode(image))
        #expect(decoded.values.map(PixelLevels.level) == [0, 0, 128, 255, 255])
    }

    @Test func badFilesAreNamed() throws {
        let folder = try Self.temporaryFolder("badpng")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken.png")
        try Data("not a png".utf8).write(to: url)
        #expect { try PNGCodec.read(url) } throws: { error in
            "\(error)".contains("broken.png") && "\(error)".contains("not a readable PNG")
        }
        #expect { try PNGCodec.read(folder.appendingPathComponent("missing.png")) } throws: { error in
            "\(error)".contains("missing.png")
        }
        let twoChannels = PlanarImage(channels: 2, height: 1, width: 1, filledWith: 0)
        #expect(throws: ImageFileError.self) { try PNGCodec.write(twoChannels, to: folder.appendingPathComponent("x.png")) }
    }

    /// A 77-byte PNG whose IHDR claims `width` × `height` 8-bit RGB pixels: valid chunks with correct CRCs, so
    /// libpng reads the header, and an IDAT holding an empty zlib stream, so the pixel data runs out.
    static func headerOnlyPNG(width: UInt32, height: UInt32) -> Data {
        func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
        func crc32(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
        }
        let header = bigEndian(width) + bigEndian(height) + [8, 2, 0, 0, 0]  // 8-bit, RGB, deflate, no filter, no interlace
        let emptyZlibStream: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", emptyZlibStream) + chunk("IEND", []))
    }

    /// The header's size is checked before any pixel buffer is allocated, with the limit in the message; a
    /// header within the limit reaches libpng's decode (and fails there: the file has no data).
    @Test func hugeHeaderIsRefusedBeforeDecoding() throws {
        for (width, height) in [(20000, 20000), (8193, 8192)] as [(UInt32, UInt32)] {
            let error = try #require(throws: ImageFileError.self) { try PNGCodec.decode(Self.headerOnlyPNG(width: width, height: height)) }
            #expect(error.reason.contains("\(width)×\(height)") && error.reason.contains("at most \(ImageSizeLimit.maximumPixels) pixels"), "\(error)")
        }
        let small = try #require(throws: ImageFileError.self) { try PNGCodec.decode(Self.headerOnlyPNG(width: 64, height: 64)) }
        #expect(small.reason.contains("damaged PNG"), "\(small)")
    }

    @Test func gridsAndUpscaling() {
        let black = PlanarImage(channels: 1, height: 2, width: 2, filledWith: -1)
        let grid = ImageGrid.compose([black, black, black], columns: 2, gutter: 1, background: 1)
        // 2 rows × 2 columns of 2×2 with 1-pixel gutters: 7 × 7, the fourth cell left as background.
        #expect(grid.height == 7 && grid.width == 7)
        #expect(grid[0, 0, 0] == 1 && grid[0, 1, 1] == -1 && grid[0, 1, 3] == 1 && grid[0, 4, 4] == 1 && grid[0, 4, 1] == -1)
        let tiny = PlanarImage(channels: 1, height: 1, width: 2, values: [0.25, -0.5])
        #expect(ImageGrid.upscaled(tiny, by: 2).values == [0.25, 0.25, -0.5, -0.5, 0.25, 0.25, -0.5, -0.5])
    }
}

@Suite struct PNGTensorTests {
    @Test func aSingleImageTensorIsWrittenAndABatchRefused() throws {
        let folder = try PNGCodecTests.temporaryFolder("png-tensor")
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = ShapesDataset.make(imagesPerClass: 1).image(2)
        try PNGCodec.write(HostTensor(shape: [1, 3, 32, 32], scalars: image.values), to: folder.appendingPathComponent("one.png"))
        #expect(try PNGCodec.read(folder.appendingPathComponent("one.png")) == image)
        let batch = PlanarImage.stack([image, image])
        #expect(batch.shape == [2, 3, 32, 32])
        #expect(PlanarImage.batch(batch) == [image, image])
        #expect { try PNGCodec.write(batch, to: folder.appendingPathComponent("two.png")) } throws: { "\($0)".contains("two.png") }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("two.png").path))
    }
}
