import Foundation
import Testing
@testable import Models

/// JPEG decoding against Pillow's decode of the same files (Fixtures/generate_jpeg.py), and bad data.
@Suite struct JPEGCodecTests {
    static let folder = Fixture.folder.appendingPathComponent("jpeg")

    @Test(arguments: ["rgb.jpg", "grey.jpg"])
    func decodesLikePillow(_ name: String) throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("expected.json"))) as! [String: [String: Any]]
        let entry = expected[name]!
        let image = try JPEGCodec.read(Self.folder.appendingPathComponent(name))
        let (w, h, c) = (entry["width"] as! Int, entry["height"] as! Int, entry["channels"] as! Int)
        #expect(image.width == w && image.height == h && image.channels == c)
        let levels = entry["levels"] as! [Int]
        var worst = 0
        for y in 0..<h {
            for x in 0..<w {
                for k in 0..<c {
                    worst = max(worst, abs(Int(PixelLevels.level(of: image[k, y, x])) - levels[(y * w + x) * c + k]))
                }
            }
        }
        // The same library decodes both; allow one level for a different IDCT choice.
        #expect(worst <= 1)
    }

    /// libjpeg's fatal errors come back as errors (its default handler would exit the process).
    @Test func badDataIsAnError() throws {
        #expect(throws: ImageFileError.self) { try JPEGCodec.decode(Data("not a jpeg at all".utf8)) }
        let whole = try Data(contentsOf: Self.folder.appendingPathComponent("rgb.jpg"))
        #expect(throws: ImageFileError.self) { try JPEGCodec.decode(whole.prefix(40)) }
        #expect(throws: ImageFileError.self) { try JPEGCodec.decode(Data()) }
    }

    /// A JPEG cut short inside its scan, or missing only its end marker: libjpeg warns ("Premature end of JPEG
    /// file") and fills the missing rows with grey; belm refuses the file, naming it.
    @Test func truncatedFileIsRefused() throws {
        let whole = try Data(contentsOf: Self.folder.appendingPathComponent("rgb.jpg"))
        let scan = try #require(whole.firstRange(of: Data([0xFF, 0xDA]))).lowerBound
        let folder = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for length in [scan + 20, whole.count - 20, whole.count - 2] {
            let url = folder.appendingPathComponent("cut-\(length).jpg")
            try whole.prefix(length).write(to: url)
            let error = try #require(throws: ImageFileError.self) { try JPEGCodec.read(url) }
            #expect(error.path == url.path && error.reason.contains("damaged JPEG (Premature end of JPEG file)"), "\(length) of \(whole.count) bytes: \(error)")
        }
    }

    /// A header claiming 20000 × 20000 pixels in a 686-byte file is refused from the header, with the limit
    /// named, before anything the size of the image is allocated.
    @Test func hugeHeaderIsRefusedBeforeDecoding() throws {
        var data = try Data(contentsOf: Self.folder.appendingPathComponent("rgb.jpg"))
        // Baseline SOF0: FF C0, length (2 bytes), precision (1), then height and width, big-endian.
        let frame = try #require(data.firstRange(of: Data([0xFF, 0xC0]))).lowerBound
        data.replaceSubrange((frame + 5)..<(frame + 9), with: [0x4E, 0x20, 0x4E, 0x20])
        let error = try #require(throws: ImageFileError.self) { try JPEGCodec.decode(data) }
        #expect(error.reason.contains("20000×20000") && error.reason.contains("at most \(ImageSizeLimit.maximumPixels) pixels"), "\(error)")
    }
}
