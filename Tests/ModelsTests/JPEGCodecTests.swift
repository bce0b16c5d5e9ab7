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
}
